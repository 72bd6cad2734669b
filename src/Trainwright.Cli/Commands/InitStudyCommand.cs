using System.CommandLine;
using Trainwright.Cli.DataSources;
using Trainwright.Cli.Host;
using Trainwright.Cli.Runs;
using Trainwright.Cli.Settings;
using Trainwright.Diagnostics;
using static TorchSharp.torch;

namespace Trainwright.Cli.Commands;

/// <summary><c>trainwright init-study</c>: lesson 9's study of PyTorch's default conv init (why √5?).</summary>
internal sealed class InitStudyCommand
{
    private readonly Option<string?> data = CliOptions.Data();
    private readonly Option<int> images = CliOptions.Range("--images", "How many validation images (from the first) to study", 100, 1, 10_000);
    private readonly Option<int> seed = CliOptions.Seed();
    private readonly Option<string?> output = CliOptions.Out("runs/<yyyyMMdd-HHmmss>-init-study");
    private readonly Option<int?> threads = CliOptions.Threads();

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("init-study",
            "Lesson 9's init study on normalised validation images: activation and gradient statistics of conv layers under the default "
            + "(kaiming_uniform a=√5), Kaiming and LSUV inits, and repeated matrix multiplies; prints Markdown, writes charts");
        foreach (var option in new Option[] { data, images, seed, output, threads }) command.Options.Add(option);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        ThreadDefaults.Apply(result.GetValue(threads));
        var dataDir = result.GetValue(data) is { } d ? Path.GetFullPath(d) : null;
        // All training images are loaded so the normalisation uses the training set's mean and std, as in the lesson.
        using var set = IdxFolderSource.LoadImages(new DataRequest(dataDir, null, Limits.DefaultMaxClasses));
        var (height, width) = set.ImageShape;
        if (height < 5 || width < 5)
            throw new CliException($"The init study's first conv has a 5x5 kernel; '{dataDir}' holds {height}x{width} images. Use images of at least 5x5.");
        var folder = Path.GetFullPath(result.GetValue(output) ?? OutputFolder.NewRunFolder("init-study"));
        OutputFolder.EnsureWritable(folder);

        int n = (int)Math.Min(result.GetValue(images), set.ValidX.shape[0]);
        using var x = set.ValidX.narrow(0, 0, n).reshape(n, 1, height, width);
        using var y = set.ValidY.narrow(0, 0, n).to(ScalarType.Float32);
        var study = InitStudy.Run(x, y, result.GetValue(seed));
        Console.WriteLine(InitStudyReport.ToMarkdown(study));
        foreach (var chart in InitStudyReport.WriteCharts(study, folder)) Console.WriteLine($"Chart: {chart}");
        return ExitCodes.Ok;
    }
}
