using Trainwright.Data;

namespace Trainwright.Cli.Running;

/// <summary>Loads the image set a command works on: the bundled MNIST, or any folder with MNIST's file names.</summary>
internal static class DataSource
{
    /// <summary>Loads <paramref name="folder"/> (null: the bundled MNIST) and checks it can train a classifier.</summary>
    /// <param name="folder">The --data folder, or null.</param>
    /// <param name="maxItems">Keep only the first this-many training, validation and test items (--max-items).</param>
    public static MnistData Load(string? folder, int? maxItems)
    {
        var options = new MnistOptions { MaxTrainItems = maxItems, MaxValidItems = maxItems, MaxTestItems = maxItems };
        MnistData data;
        try
        {
            if (folder is null)
            {
                data = MnistData.Bundled(options);
            }
            else
            {
                if (File.Exists(folder))
                    throw new CliException($"--data '{folder}' is a file; give the folder that holds the IDX files. {ErrorReport.DataHint}");
                if (!Directory.Exists(folder))
                    throw new CliException($"--data folder '{folder}' does not exist. {ErrorReport.DataHint}");
                data = MnistData.Load(folder, options);
            }
        }
        catch (FileNotFoundException e)
        {
            throw new CliException($"{e.Message} {ErrorReport.DataHint}", inner: e);
        }
        catch (DirectoryNotFoundException e) when (folder is null)
        {
            throw new CliException($"{e.Message} Or pass --data DIR.", inner: e);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"{e.Message} Fix or replace the file; {ErrorReport.DataHint}", inner: e);
        }
        catch (IdxFormatException e)
        {
            throw new CliException($"{e.Message} {ErrorReport.DataHint}", inner: e);
        }

        if (data.TrainY.shape[0] == 0 || data.ValidY.shape[0] == 0)
        {
            long total = data.TrainY.shape[0] + data.ValidY.shape[0];
            data.Dispose();
            throw new CliException(
                $"'{(folder ?? "bundled MNIST")}' gives {total} training images, too few to split into training and validation (the last sixth validates): give at least 6.");
        }
        return data;
    }

    /// <summary>A short description, e.g. <c>MNIST (bundled): 50000 train, 10000 valid, 10000 test, 28x28, 10 classes</c>.</summary>
    public static string Describe(MnistData data, string? folder) =>
        $"{(folder is null ? "MNIST (bundled)" : $"'{folder}'")}: {data.TrainY.shape[0]} train, {data.ValidY.shape[0]} valid, "
        + $"{data.TestY.shape[0]} test, {data.ImageShape.Height}x{data.ImageShape.Width} images, {data.ClassCount} classes";
}
