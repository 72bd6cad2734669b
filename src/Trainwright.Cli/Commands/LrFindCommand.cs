using System.CommandLine;
using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Cli.DataSources;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Runs;
using Trainwright.Cli.Settings;
using Trainwright.Platform;

namespace Trainwright.Cli.Commands;

/// <summary><c>trainwright lr-find</c>: the learning rate finder, plotted, with its suggestion.</summary>
internal sealed class LrFindCommand
{
    private readonly TrainingOptions options = TrainingOptions.ForLrFind();
    private readonly Option<int> maxIter = CliOptions.Range("--max-iter", "Most batches to try (the learning rate grows from 1e-7 to 10 over them)", 100, 2, Limits.MaxLrFindIterations);
    private readonly Option<string?> output = CliOptions.Out("runs/<yyyyMMdd-HHmmss>-lr-find");

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("lr-find", "Find a good learning rate: train with an exponentially growing rate until the loss diverges, plot loss against rate (lr-find.png)");
        options.AddTo(command);
        command.Options.Add(maxIter);
        command.Options.Add(output);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        SingleProcessOnly.Require("lr-find", "the search runs in one process, and every copy would repeat it into the same --out");
        var outText = result.GetValue(output);
        if (outText is not null && string.IsNullOrWhiteSpace(outText)) throw new CliException("--out is empty; give a path, or leave the option out.");
        var settings = RunSettings.From(result, options, recorded: null, defaultOut: outText ?? OutputFolder.NewRunFolder("lr-find"));
        // libtorch may still be loading (Program starts it): the count is set when the data source waits for it.
        ThreadDefaults.ChooseForTraining(settings.Threads);
        using var data = Registry.Open(DataRequest.For(settings) with
        {
            Progress = DataProgress.Writer(),
            ProgressIsTerminal = DataProgress.IsTerminal(noProgress: false),
        });
        TorchNative.EnsureLoaded(); // done by every source before its first tensor; here too before the model's
        var kind = settings.Model ?? Registry.DefaultModelFor(settings.Data);
        data.CheckModel(kind);
        settings = settings with { Model = kind };
        var spec = ModelSpec.For(kind, settings, data.Shape);
        OutputFolder.EnsureWritable(settings.Out);
        using var folderLock = RunLock.Acquire(settings.Out);

        var bunch = data.ToDataBunch(settings.BatchSize, settings.Workers, settings.Seed);
        // The finder sets the rate itself; the learner's base rate only sizes the optimizer's initial state.
        // Augmented as train would be, so the suggestion fits the run it is for.
        var learner = LearnerFactory.Create(data, spec, bunch, TrainingRecipe.For(kind), settings.Optimizer, CliOptions.DefaultSgdLr, settings.Wd, settings.Seed, augment: true, []);
        Console.WriteLine($"Data:  {TrainCommand.Indent(data.Describe(), 7)}");
        foreach (var warning in data.Warnings) Console.Error.WriteLine($"warning: {warning}");
        Console.WriteLine($"Model: {spec.Describe()}, {Choices.Name(settings.Optimizer)}, batch size {settings.BatchSize}");

        int iterations = result.GetValue(maxIter);
        var finder = learner.LrFind(maxIter: iterations);
        var plot = Path.Combine(settings.Out, "lr-find.png");
        finder.Plot(plot);
        Console.WriteLine($"Tried {finder.Lrs.Count} learning rates from {G(finder.Lrs[0])} to {G(finder.Lrs[^1])}.");
        var smoothed = finder.SmoothedLosses;
        bool diverged = finder.Lrs.Count < iterations || !double.IsFinite(finder.Losses[^1])
            || (smoothed.Count > 1 && smoothed[^1] > finder.StopFactor * smoothed.Take(smoothed.Count - 1).Min());
        Console.WriteLine($"Suggested learning rate: {G(finder.SuggestedLr)} (a tenth of the rate at the lowest smoothed loss)");
        if (!diverged)
            Console.WriteLine($"Note: the loss never diverged up to {G(finder.Lrs[^1])}, so the suggestion only reflects the lowest loss seen; "
                + "look at the plot, or try more batches with --max-iter.");
        if (finder.SmoothedLosses.Count >= 3)
            Console.WriteLine($"Steepest descent at:     {G(finder.SteepestLr)}");
        Console.WriteLine($"Plot: {plot}");
        Console.WriteLine($"Train with it: trainwright train{(settings.Data is null ? "" : " --data " + ShellCommand.Quote(settings.Data))}"
            + $"{(settings.Target is null ? "" : " --target " + ShellCommand.Quote(settings.Target))} --lr {G(Math.Min(finder.SuggestedLr, Limits.MaxLr))}"
            + $"{(settings.Optimizer == OptimizerKind.Sgd ? "" : " --opt " + Choices.Name(settings.Optimizer))}");
        return ExitCodes.Ok;
    }

    private static string G(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
