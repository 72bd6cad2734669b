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
    /// <summary>The largest --size (image side trained at), in pixels.</summary>
    public const int MaxImageSize = 1024;
    /// <summary>The smallest --size: the CNN and the residual networks halve the image several times.</summary>
    public const int MinImageSize = 8;
    /// <summary>The range of --valid-pct (the share of items held out for validation when the data has no split).</summary>
    public const double MinValidPct = 0.01, MaxValidPct = 0.9;
    /// <summary>The range of --net-width, the residual networks' channel multiplier (1 is fastai's xresnet).</summary>
    public const double MinNetWidth = 0.125, MaxNetWidth = 2;
    /// <summary>At most this many hidden layers in --layers, each at most <see cref="MaxHidden"/> units.</summary>
    public const int MaxLayers = 16;
    /// <summary>The largest --valid-last (rows kept for validation in file order).</summary>
    public const int MaxValidLast = 100_000_000;
}
