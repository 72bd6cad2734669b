namespace Trainwright.Cli.Settings;

/// <summary>
/// The documented range of every numeric option: each bound keeps a typo from allocating the machine's memory, hanging
/// it or overflowing a size (the help text shows them).
/// </summary>
internal static class Limits
{
    public const int MaxEpochs = 10_000;
    public const int MaxBatchSize = 65_536;
    public const int MaxHidden = 65_536;
    /// <summary>The largest --lr: far beyond any useful rate, well inside float32 (a rate near 3e38 overflows to infinity).</summary>
    public const double MaxLr = 1e10;
    public const double MaxWd = 1;
    public const int MaxWorkers = 64;
    public const int MaxThreads = 256;
    public const int MaxLrFindIterations = 100_000;
    /// <summary>The default limit on classes (--max-classes); IDX labels beyond it are refused as probably corrupt.</summary>
    public const int DefaultMaxClasses = Trainwright.Data.MnistOptions.DefaultMaxClasses;
    public const int MaxClasses = 100_000;
    /// <summary>The largest model the command builds (parameters), about 400 MB of float32 weights.</summary>
    public const long MaxParameters = 100_000_000;
    /// <summary>Above this many classes, evaluate prints per-class accuracy for the worst classes instead of a confusion table.</summary>
    public const int MaxConfusionTableClasses = 20;
}
