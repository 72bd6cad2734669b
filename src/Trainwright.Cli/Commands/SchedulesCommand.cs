using System.CommandLine;
using System.Globalization;
using Trainwright.Cli.Host;
using Trainwright.Cli.Runs;
using Trainwright.Plotting;
using Trainwright.Schedules;

namespace Trainwright.Cli.Commands;

/// <summary><c>trainwright schedules</c>: the built-in annealers and a one-cycle schedule, as a table or as PNG charts.</summary>
internal sealed class SchedulesCommand
{
    private const int Points = 200;

    private readonly Option<bool> plot = new("--plot") { Description = "Draw the schedules to schedules.png and one-cycle.png (otherwise print a table)" };
    private readonly Option<string?> output = CliOptions.Out("runs/<yyyyMMdd-HHmmss>-schedules");

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("schedules", "Show the built-in schedules: lin, cos, exp, the lesson's combined cosine (30% 0.3→0.6, 70% 0.6→0.2) and one-cycle (lr and momentum)");
        command.Options.Add(plot);
        command.Options.Add(output);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    /// <summary>The annealers of the lesson's notebook, with its example ends (0.3 → 0.6 for lin, cos and exp).</summary>
    public static IReadOnlyList<(string Name, Schedule Schedule)> Annealers() =>
    [
        ("lin 0.3→0.6", Sched.Lin(0.3, 0.6)),
        ("cos 0.3→0.6", Sched.Cos(0.3, 0.6)),
        ("exp 0.3→0.6", Sched.Exp(0.3, 0.6)),
        ("combined cos", Sched.Combine([0.3, 0.7], [Sched.Cos(0.3, 0.6), Sched.Cos(0.6, 0.2)])),
    ];

    /// <summary>One-cycle with the defaults <c>train</c> uses (peak 0.1, momentum 0.95 → 0.85 → 0.95).</summary>
    public static IReadOnlyList<(string Name, Schedule Schedule)> OneCycle() =>
    [
        ("one-cycle lr (max 0.1)", Sched.OneCycleLr(CliOptions.DefaultSgdLr)),
        ("one-cycle momentum", Sched.OneCycleMom()),
    ];

    private int Execute(ParseResult result)
    {
        if (!result.GetValue(plot))
        {
            PrintTable([.. Annealers(), .. OneCycle()]);
            Console.WriteLine("Add --plot to draw them.");
            return ExitCodes.Ok;
        }
        var folder = Path.GetFullPath(result.GetValue(output) ?? OutputFolder.NewRunFolder("schedules"));
        OutputFolder.EnsureWritable(folder);
        var xs = Enumerable.Range(0, Points).Select(i => i / (double)(Points - 1)).ToArray();
        Series Draw((string Name, Schedule S) s) => new(s.Name, xs, xs.Select(x => s.S(x)).ToArray());

        var annealers = Path.Combine(folder, "schedules.png");
        Charts.Line(annealers, "annealers", "position in training", "value", Annealers().Select(Draw));
        var cycle = OneCycle();
        var lr = Path.Combine(folder, "one-cycle-lr.png");
        Charts.Line(lr, "one-cycle: learning rate", "position in training", "lr", [Draw(cycle[0])]);
        var mom = Path.Combine(folder, "one-cycle-mom.png");
        Charts.Line(mom, "one-cycle: momentum", "position in training", "momentum", [Draw(cycle[1])]);
        foreach (var path in new[] { annealers, lr, mom }) Console.WriteLine($"Chart: {path}");
        return ExitCodes.Ok;
    }

    private static void PrintTable(IReadOnlyList<(string Name, Schedule Schedule)> schedules)
    {
        double[] positions = [0, 0.1, 0.25, 0.3, 0.5, 0.75, 1];
        int width = schedules.Max(s => s.Name.Length) + 2;
        Console.WriteLine("position".PadRight(width) + string.Concat(positions.Select(p => p.ToString("0.00", CultureInfo.InvariantCulture).PadLeft(9))));
        foreach (var (name, schedule) in schedules)
            Console.WriteLine(name.PadRight(width) + string.Concat(positions.Select(p => schedule(p).ToString("0.00000", CultureInfo.InvariantCulture).PadLeft(9))));
    }
}
