using System.CommandLine;
using Trainwright.Augment;
using Trainwright.Cli.DataSources;
using Trainwright.Cli.Host;
using Trainwright.Cli.Runs;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Data.Images;

namespace Trainwright.Cli.Commands;

/// <summary><c>trainwright show-batch</c>: a PNG grid of training images as the model will see them (augmented), with their classes.</summary>
internal sealed class ShowBatchCommand
{
    private readonly Option<string?> data = new("--data")
    {
        Description = "Image folder (ROOT/<class>/…, ROOT/train|valid|test/<class>/…, or ROOT/labels.csv)",
        HelpName = "DIR",
        Required = true,
    };
    private readonly Option<string> augment = CliOptions.Augment();
    private readonly Option<int?> size = CliOptions.Size();
    private readonly Option<string> resize = CliOptions.Resize();
    private readonly Option<int?> channels = CliOptions.Channels();
    private readonly Option<double> validPct = CliOptions.ValidPct();
    private readonly Option<bool> skipBad = CliOptions.SkipBadImages();
    private readonly Option<int> count = CliOptions.Range("--count", "Images in the grid", 16, 1, 256);
    private readonly Option<int> seed = CliOptions.Number<int>("--seed", "Seed picking the images and their augmentation", 42, _ => null);
    private readonly Option<string?> output = new("--out") { Description = "PNG file to write [default: show-batch.png]", HelpName = "FILE" };

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("show-batch", "Write a PNG grid of augmented training images with their classes, to check augmentation and labels by eye");
        foreach (var option in new Option[] { data, augment, size, resize, channels, validPct, skipBad, count, seed, output }) command.Options.Add(option);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        var dataText = result.GetValue(data);
        if (string.IsNullOrWhiteSpace(dataText)) throw new CliException("--data is empty; give an image folder.");
        var outText = result.GetValue(output) ?? "show-batch.png";
        if (string.IsNullOrWhiteSpace(outText)) throw new CliException("--out is empty; give a PNG file name, or leave the option out.");
        var outPath = Path.GetFullPath(outText);
        if (Directory.Exists(outPath)) throw new CliException($"--out '{outPath}' is a folder; give a file name such as {Path.Combine(outPath, "show-batch.png")}.");
        // Refused before the data is read: the rename would replace a device such as /dev/null (run as root).
        if (RegularFile.WhatElse(outPath) is { } kind)
            throw new CliException($"--out '{outPath}' is {kind}, not a regular file; give a file name such as show-batch.png.");
        var folder = Path.GetDirectoryName(outPath)!;
        var settings = new RunSettings
        {
            Data = Path.GetFullPath(dataText),
            Size = result.GetValue(size),
            Resize = Choices.Require<ResizeMethod>("--resize", result.GetValue(resize)),
            Channels = result.GetValue(channels),
            ValidPct = result.GetValue(validPct),
            SkipBadImages = result.GetValue(skipBad),
            Seed = result.GetValue(seed),
        };
        if (!new ImageFolderSource().CanRead(settings.Data))
            throw new CliException($"--data '{settings.Data}' is not an image folder. {new ImageFolderSource().Expects}");
        using var set = (ImageTrainingData)new ImageFolderSource().Open(DataRequest.For(settings) with
        {
            Progress = DataProgress.Writer(),
            ProgressIsTerminal = DataProgress.IsTerminal(noProgress: false),
        });
        OutputFolder.EnsureWritable(folder);
        var augmentKind = Choices.Require<AugmentKind>("--aug", result.GetValue(augment));
        // Written through AtomicFile (a temporary file renamed over the target), so an existing picture is never left half written.
        var captions = BatchPreview.Save(set.Images, outPath, ImageTrainingData.AugmentPreset(augmentKind), count: result.GetValue(count), seed: settings.Seed);
        Console.WriteLine($"Data:  {set.Describe()}");
        Console.WriteLine($"Wrote {outPath}: {captions.Count} training images, {Choices.Name(augmentKind)} augmentation ({string.Join(", ", captions.Distinct().Take(8))}{(captions.Distinct().Count() > 8 ? ", …" : "")})");
        return ExitCodes.Ok;
    }
}
