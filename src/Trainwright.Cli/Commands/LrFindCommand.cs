using System.CommandLine;
using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Cli.Running;

namespace Trainwright.Cli.Commands;

/// <summary><c>trainwright lr-find</c>: the learning rate finder, plotted, with its suggestion.</summary>
internal sealed class LrFindCommand
{
    private readonly SharedTrainingOptions shared = new();
    private readonly Option<int> maxIter = CliOptions.AtLeast("--max-iter", "Most batches to try (the learning rate grows from 1e-7 to 10 over them)", 100, 2);
    private readonly Option<string?> output = CliOptions.Out("runs/<yyyyMMdd-HHmmss>-lr-find");

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("lr-find", "Find a good learning rate: train with an exponentially growing rate until the loss diverges, plot loss against rate (lr-find.png)");
        shared.AddTo(command, withLr: false);
        command.Options.Add(maxIter);
        command.Options.Add(output);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        ThreadDefaults.Apply(result.GetValue(shared.Threads));
        var dataDir = result.GetValue(shared.Data) is { } d ? Path.GetFullPath(d) : null;
        using var data = DataSource.Load(dataDir, result.GetValue(shared.MaxItems));
        var spec = LearnerFactory.SpecFor(result.GetValue(shared.Model)!, result.GetValue(shared.Hidden), data);
        var folder = Path.GetFullPath(result.GetValue(output) ?? OutputFolder.NewRunFolder("lr-find"));
        OutputFolder.EnsureWritable(folder);

        int seed = result.GetValue(shared.Seed);
        var optimizer = result.GetValue(shared.Optimizer)!;
        var bunch = data.ToDataBunch(result.GetValue(shared.BatchSize), result.GetValue(shared.Workers), seed);
        // The finder sets the rate itself; the learner's base rate only sizes the optimizer's initial state.
        var learner = LearnerFactory.Create(spec, bunch, optimizer, CliOptions.DefaultSgdLr, result.GetValue(shared.Wd), seed, []);
        Console.WriteLine($"Data:  {DataSource.Describe(data, dataDir)}");
        Console.WriteLine($"Model: {spec.Describe()}, {optimizer}, batch size {result.GetValue(shared.BatchSize)}");

        var finder = learner.LrFind(maxIter: result.GetValue(maxIter));
        var plot = Path.Combine(folder, "lr-find.png");
        finder.Plot(plot);
        Console.WriteLine($"Tried {finder.Lrs.Count} learning rates from {G(finder.Lrs[0])} to {G(finder.Lrs[^1])}.");
        Console.WriteLine($"Suggested learning rate: {G(finder.SuggestedLr)} (a tenth of the rate at the lowest smoothed loss)");
        if (finder.SmoothedLosses.Count >= 3)
            Console.WriteLine($"Steepest descent at:     {G(finder.SteepestLr)}");
        Console.WriteLine($"Plot: {plot}");
        Console.WriteLine($"Train with it: trainwright train --lr {G(finder.SuggestedLr)}{(optimizer == "sgd" ? "" : " --opt " + optimizer)}");
        return ExitCodes.Ok;
    }

    private static string G(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
