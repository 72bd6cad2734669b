using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Trainwright.Cli.Commands;

namespace Trainwright.Cli;

/// <summary>The <c>trainwright</c> command tree and how it is invoked.</summary>
internal static class CliApp
{
    public const string Name = "trainwright";

    public static Command Build()
    {
        var verbose = new Option<bool>("--verbose") { Description = "On errors, show the full exception and stack trace", Recursive = true };
        // A named Command rather than RootCommand (named after the executable, Trainwright.Cli under dotnet run), so help and
        // usage always say "trainwright", the tool's command name.
        var root = new Command(Name,
            "Trainwright: fast.ai-style training (lesson 9) on TorchSharp. "
            + "Exit codes: 0 ok, 1 bad input, 3 loss became NaN, 70 unexpected error, 130 stopped by SIGINT, 143 stopped by SIGTERM.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Options.Add(verbose);
        root.Subcommands.Add(new TrainCommand().Build(verbose));
        root.Subcommands.Add(new LrFindCommand().Build(verbose));
        root.Subcommands.Add(new EvaluateCommand().Build(verbose));
        root.Subcommands.Add(new ShowBatchCommand().Build(verbose));
        root.Subcommands.Add(new PredictCommand().Build(verbose));
        root.Subcommands.Add(new ExportCommand().Build(verbose));
        root.Subcommands.Add(new InitStudyCommand().Build(verbose));
        root.Subcommands.Add(new SchedulesCommand().Build(verbose));
        return root;
    }

    /// <summary>
    /// Whether <paramref name="result"/> (parsed without errors) runs a training command itself (not its help), whose run starts by reading data
    /// while libtorch loads (it calls TorchNative.EnsureLoaded before any tensor). Help and version are other actions.
    /// </summary>
    public static bool StartsTraining(ParseResult result) =>
        result.Action is not null && ReferenceEquals(result.Action, result.CommandResult.Command.Action)
        && result.CommandResult.Command.Name is "train" or "lr-find";

    /// <summary>Whether the command makes OpenMP spin briefly: all but `train` without --threads (see <see cref="Run"/>).</summary>
    public static bool LimitsSpinning(ParseResult result) =>
        !(StartsTraining(result) && result.CommandResult.Command.Name == "train")
        || result.CommandResult.Children.Any(c => c is OptionResult { Option.Name: "--threads", Implicit: false });

    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            // No command: show what there is, and fail like any other incomplete command line.
            Build().Parse(["--help"]).Invoke();
            Console.Error.WriteLine("error: no command given; choose one of the commands above.");
            return Host.ExitCodes.BadInput;
        }
        var root = Build();
        Runs.StartupProbe.Mark("command tree built");
        var result = root.Parse(args);
        // A parse error prints one "error:" line per error (with any "did you mean"), not the whole help text.
        if (result.Action is ParseErrorAction) return Host.ParseErrors.Print(result, Console.Error);
        // OpenMP's spinning is chosen before libtorch loads. Training without --threads gets a ThreadTuner, which drops
        // to one thread while another process competes, so OpenMP keeps its default spinning (fastest idle:
        // docs/benchmarks.md, "threads"); every other multi-threaded use spins briefly and then sleeps, so its pool
        // cannot collapse under load. Then, only for a training command (help, version and a mistyped command line never
        // pay for libtorch), libtorch loads on a background thread while this one resolves the settings and reads the
        // data; the data source waits for it before its first tensor.
        bool training = StartsTraining(result);
        if (LimitsSpinning(result)) Runtime.OpenMpWaitPolicy.LimitSpinning();
        if (training)
        {
            Host.NativeWarmup.Run();
            Platform.TorchNative.BeginLoading();
        }
        return result.Invoke(new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // Training handles SIGINT/SIGTERM itself (stop after the batch, save, exit 130/143).
            ProcessTerminationTimeout = null,
        });
    }
}
