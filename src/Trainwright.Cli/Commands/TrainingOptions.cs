using System.CommandLine;

namespace Trainwright.Cli.Commands;

/// <summary>
/// The options <c>train</c> and <c>lr-find</c> share, plus the ones only <c>train</c> has (null for lr-find);
/// <see cref="Settings.RunSettings.From"/> turns them into one settings value.
/// </summary>
internal sealed class TrainingOptions
{
    private TrainingOptions(bool train)
    {
        if (!train) return;
        Lr = CliOptions.Lr();
        Epochs = CliOptions.Epochs();
        Schedule = CliOptions.Schedule();
        Out = CliOptions.Out("runs/<yyyyMMdd-HHmmss>; with --resume, the checkpoint's folder");
        Resume = new("--resume")
        {
            Description = "Continue a stopped run from its checkpoint (e.g. runs/<time>/checkpoint-last); options not given take that run's values. "
                + "It writes into that run's folder, or into a new, empty --out",
            HelpName = "CKPT",
        };
        NoProgress = new("--no-progress") { Description = "Print one plain line per epoch instead of live progress bars" };
    }

    public static TrainingOptions ForTrain() => new(train: true);

    public static TrainingOptions ForLrFind() => new(train: false);

    public Option<string?> Data { get; } = CliOptions.Data();
    public Option<string?> Model { get; } = CliOptions.Model();
    public Option<double> NetWidth { get; } = CliOptions.NetWidth();
    public Option<int?> Size { get; } = CliOptions.Size();
    public Option<string> Resize { get; } = CliOptions.Resize();
    public Option<double> ValidPct { get; } = CliOptions.ValidPct();
    public Option<string> Augment { get; } = CliOptions.Augment();
    public Option<int?> Channels { get; } = CliOptions.Channels();
    public Option<bool> SkipBadImages { get; } = CliOptions.SkipBadImages();
    public Option<string?> Target { get; } = CliOptions.Target();
    public Option<string?> Categorical { get; } = CliOptions.Categorical();
    public Option<string?> Continuous { get; } = CliOptions.Continuous();
    public Option<string?> Ignore { get; } = CliOptions.Ignore();
    public Option<string?> Task { get; } = CliOptions.Task();
    public Option<string?> ValidCol { get; } = CliOptions.ValidCol();
    public Option<int?> ValidLast { get; } = CliOptions.ValidLast();
    public Option<bool> LogTarget { get; } = CliOptions.LogTarget();
    public Option<string?> Layers { get; } = CliOptions.Layers();
    public Option<bool> Coerce { get; } = CliOptions.Coerce();
    public Option<int> Hidden { get; } = CliOptions.Hidden();
    public Option<int?> BatchSize { get; } = CliOptions.BatchSize();
    public Option<double?>? Lr { get; }
    public Option<string?> Optimizer { get; } = CliOptions.Optimizer();
    public Option<double> Wd { get; } = CliOptions.Wd();
    public Option<int> Seed { get; } = CliOptions.Seed();
    public Option<int> Workers { get; } = CliOptions.Workers();
    public Option<int?> Threads { get; } = CliOptions.Threads();
    public Option<int?> MaxItems { get; } = CliOptions.MaxItems();
    public Option<int> MaxClasses { get; } = CliOptions.MaxClasses();
    public Option<int>? Epochs { get; }
    public Option<string>? Schedule { get; }
    public Option<string?>? Out { get; }
    public Option<string?>? Resume { get; }
    public Option<bool>? NoProgress { get; }

    public void AddTo(Command command)
    {
        Option?[] all = [Data, Model, Hidden, NetWidth, BatchSize, Lr, Optimizer, Wd, Seed, Workers, Threads, MaxItems, MaxClasses, Epochs, Schedule,
            Size, Resize, ValidPct, Augment, Channels, SkipBadImages,
            Target, Categorical, Continuous, Ignore, Task, ValidCol, ValidLast, LogTarget, Layers, Coerce,
            Out, Resume, NoProgress];
        foreach (var option in all)
            if (option is not null) command.Options.Add(option);
    }
}
