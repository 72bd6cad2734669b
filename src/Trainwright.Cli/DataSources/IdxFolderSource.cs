using System.Globalization;
using Trainwright.Cli.Host;
using Trainwright.Data;

namespace Trainwright.Cli.DataSources;

/// <summary>
/// A folder of MNIST-style IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…, raw or .gz), and the
/// default data set, the bundled MNIST. Labels are mapped through the vocabulary of values present (at most
/// <see cref="DataRequest.MaxClasses"/>), so class names are the label values.
/// </summary>
internal sealed class IdxFolderSource : IDataSource
{
    /// <summary>Classes with fewer training examples than this are named in a warning.</summary>
    public const int RareClassExamples = 5;

    public string Name => "idx";

    public Settings.ModelKind DefaultModel => Settings.ModelKind.Mlp;

    public string Expects => ErrorReport.DataHint;

    // MnistData.Load reads, checks and decompresses the four files, then waits for libtorch before its first tensor.
    public bool ReadsBeforeLoadingTorch => true;

    public bool CanRead(string path) =>
        Directory.Exists(path)
        && (File.Exists(Path.Combine(path, MnistData.TrainImagesName)) || File.Exists(Path.Combine(path, MnistData.TrainImagesName + ".gz"))
            || !Directory.EnumerateFileSystemEntries(path).Any()
            || Directory.EnumerateFiles(path).Any(f => Path.GetFileName(f).Contains("-idx", StringComparison.Ordinal)));

    public ITrainingData Open(DataRequest request) =>
        new IdxTrainingData(LoadImages(request), request.Path, Name);

    /// <summary>The IDX image set itself, for commands that study images rather than train (init-study).</summary>
    /// <exception cref="CliException">The folder is missing or malformed, its labels are out of bounds, or it is too small to split.</exception>
    public static MnistData LoadImages(DataRequest request)
    {
        var folder = request.Path;
        var options = new MnistOptions
        {
            MaxTrainItems = request.MaxItems,
            MaxValidItems = request.MaxItems,
            MaxTestItems = request.MaxItems,
            MaxClasses = request.MaxClasses,
            ClassLabels = request.ClassNames is { } names ? LabelsOf(names) : null,
        };
        MnistData data;
        try
        {
            if (folder is not null && File.Exists(folder))
                throw new CliException($"--data '{folder}' is a file; give the folder that holds the IDX files. {ErrorReport.DataHint}");
            if (folder is not null && !Directory.Exists(folder))
                throw new CliException($"--data folder '{folder}' does not exist. {ErrorReport.DataHint}");
            data = folder is null ? MnistData.Bundled(options) : MnistData.Load(folder, options);
        }
        catch (FileNotFoundException e)
        {
            throw new CliException($"{e.Message} {ErrorReport.DataHint}", inner: e);
        }
        catch (DirectoryNotFoundException e) when (folder is null)
        {
            throw new CliException($"{e.Message} Or pass --data DIR.", inner: e);
        }
        catch (IdxFormatException e)
        {
            throw new CliException($"{e.Message} {ErrorReport.DataHint}", inner: e);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"{e.Message} Fix or replace the file; {ErrorReport.DataHint}", inner: e);
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

    private static int[] LabelsOf(IReadOnlyList<string> names) =>
        [.. names.Select(n => int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new CliException($"The checkpoint's class '{n}' is not an IDX label (a whole number); evaluate it with the --data it was trained on."))];
}
