using TorchSharp;
using TorchSharp.Modules;
using Trainwright.Learning;
using static TorchSharp.torch;
using Trainwright.Hooks;

namespace Trainwright.Diagnostics;

/// <summary>
/// Records, for every training batch, statistics of the outputs of chosen layers: mean, standard deviation, the fraction
/// near zero and a histogram (lesson 10's <c>ActivationStats</c> and "colorful dimension" plots). With these one can see
/// whether activations explode, vanish, or collapse to zero early in training, which is what a bad init or too high a
/// learning rate does. Forward hooks are registered at <see cref="Event.BeforeFit"/> and removed at
/// <see cref="Event.AfterFit"/> (or on <see cref="Dispose"/>); validation batches are not recorded.
/// </summary>
/// <remarks>
/// Each statistic is reduced to a number inside the hook, right after the layer runs, because Sequential disposes
/// intermediate outputs once the next layer has used them. Cost per batch is a few passes over each hooked output
/// (mean, centred squares, a comparison) plus a histogram of at most <see cref="HistogramSample"/> values; hook fewer
/// layers or set <see cref="StatsOptions.Histogram"/> to null to make it cheaper. Hooks fire only through
/// <c>Module.call</c>, as Sequential calls its children.
/// </remarks>
public sealed partial class ActivationStats : Callback, IDisposable
{
    /// <summary>File name of the means/stds figure written by <see cref="WritePlots"/>.</summary>
    public const string MeansStdsFile = "activation-means-stds.png";
    /// <summary>File name of the near-zero figure written by <see cref="WritePlots"/>.</summary>
    public const string NearZeroFile = "activation-near-zero.png";
    /// <summary>File name of the histogram figure written by <see cref="WritePlots"/>.</summary>
    public const string HistogramsFile = "activation-histograms.png";

    // Module types whose outputs are ReLU-like: mostly in [0, ∞), so the default [0, 10] histogram fits them.
    private static readonly HashSet<string> ActivationTypeNames = new(StringComparer.Ordinal)
    {
        "ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "GELU", "SiLU", "ELU", "CELU", "SELU", "Mish", "Softplus", "Hardswish",
    };

    private readonly Func<nn.Module, IReadOnlyList<NamedModule>> select;
    private readonly List<ActivationStatsLayer> layers = [];
    private HookSet<Hook>? hooks;
    private bool recording;

    /// <summary>Records the layers <paramref name="layers"/> picks from the model (default: <see cref="DefaultLayers"/>).</summary>
    /// <param name="options">What to measure (default: <see cref="StatsOptions.Default"/>, 40 bins over [0, 10]).</param>
    /// <param name="layers">Picks the modules to hook from the model, e.g. <c>m => LayerSelection.WeightLayers(m)</c>.</param>
    /// <param name="histogramSample">See <see cref="HistogramSample"/>; null counts every value.</param>
    public ActivationStats(StatsOptions? options = null, Func<nn.Module, IReadOnlyList<NamedModule>>? layers = null,
        long? histogramSample = DefaultHistogramSample)
    {
        if (histogramSample is < 1)
            throw new ArgumentOutOfRangeException(nameof(histogramSample), histogramSample, "The histogram sample must hold at least one value (or be null for all).");
        HistogramSample = histogramSample;
        Options = options ?? StatsOptions.Default;
        Options.Histogram?.Validate();
        if (!(Options.NearZeroThreshold >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), Options.NearZeroThreshold, "The near-zero threshold must be 0 or more.");
        select = layers ?? DefaultLayers;
    }

    /// <summary>Records the given modules (they must be part of the learner's model to see its forwards).</summary>
    /// <param name="modules">The modules to hook.</param>
    /// <param name="options">What to measure (default: <see cref="StatsOptions.Default"/>).</param>
    /// <param name="histogramSample">See <see cref="HistogramSample"/>; null counts every value.</param>
    public ActivationStats(IEnumerable<NamedModule> modules, StatsOptions? options = null, long? histogramSample = DefaultHistogramSample)
        : this(options, Fixed(modules), histogramSample)
    {
    }

    /// <summary>Default of <see cref="HistogramSample"/>: 2^18 values, a few images' worth of a first conv layer's output.</summary>
    public const long DefaultHistogramSample = 1L << 18;

    /// <summary>
    /// The most values per output the histogram counts. Counting is the dearest statistic (libtorch's histc runs on one
    /// thread), so when an output holds more values, only its first items (whole items, as many as fit) are counted and
    /// the counts are scaled by total/counted; the shape over time, which is what the plot shows, is unchanged. Null
    /// counts everything. Mean, std and the near-zero fraction always use every value.
    /// </summary>
    public long? HistogramSample { get; }

    /// <summary>What is measured.</summary>
    public StatsOptions Options { get; }

    /// <summary>The hooked layers of the latest fit, in forward order, each with its records.</summary>
    public IReadOnlyList<ActivationStatsLayer> Layers => layers;

    /// <summary>True while the hooks are registered (from BeforeFit to AfterFit).</summary>
    public bool IsHooked => hooks is not null;

    /// <summary>
    /// The default choice of layers: every ReLU-like activation module (ReLU, LeakyReLU, GELU, SiLU…), whose outputs are
    /// the ones whose statistics tell whether training is healthy; when the model has none, every Linear and convolution.
    /// </summary>
    /// <param name="model">The model to walk.</param>
    public static IReadOnlyList<NamedModule> DefaultLayers(nn.Module model)
    {
        var activations = LayerSelection.Where(model, m => ActivationTypeNames.Contains(m.GetType().Name));
        return activations.Count > 0 ? activations : LayerSelection.WeightLayers(model);
    }

    /// <inheritdoc />
    public override void BeforeFit()
    {
        RemoveHooks();
        layers.Clear();
        var chosen = select(Learner.Model);
        if (chosen.Count == 0)
            throw new InvalidOperationException(
                "ActivationStats found no layers to hook in the model. Pass the modules to watch, e.g. new ActivationStats(LayerSelection.WeightLayers(model)).");
        var named = chosen.Select(m => new ActivationStatsLayer($"{(m.Name.Length == 0 ? "model" : m.Name)} ({m.Module.GetType().Name})")).ToList();
        layers.AddRange(named);
        int i = 0;
        hooks = HookSet.Register(chosen, m =>
        {
            var layer = named[i++];
            return new Hook(m.Module, (_, _, output) =>
            {
                if (recording) layer.Add(Measure(output, Options, HistogramSample));
            }, m.Name);
        });
    }

    /// <inheritdoc />
    public override void BeforeBatch() => recording = Learner.Training;

    /// <inheritdoc />
    public override void AfterBatch() => recording = false;

    /// <inheritdoc />
    public override void AfterFit() => RemoveHooks();

    /// <summary>Removes the hooks if they are still registered (the records stay).</summary>
    public void Dispose() => RemoveHooks();

    private void RemoveHooks()
    {
        recording = false;
        hooks?.Dispose();
        hooks = null;
    }

    private static Func<nn.Module, IReadOnlyList<NamedModule>> Fixed(IEnumerable<NamedModule> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var list = modules.ToList();
        if (list.Count == 0 || list.Any(m => m is null))
            throw new ArgumentException("Give at least one module to watch, and no nulls.", nameof(modules));
        return _ => list;
    }

    /// <summary>
    /// The statistics of one output, computed at once and kept in the activations' own float type, because this runs on
    /// every hooked layer of every batch. The mean and std are exact (the std from the centred values, so a large mean
    /// does not cancel it away); libtorch's fused std_mean and a histogram over millions of values each cost several
    /// times more than the rest together, so the std is computed in two plain passes and the histogram counts a sample
    /// (see <see cref="HistogramSample"/>).
    /// </summary>
    internal static ForwardStats Measure(Tensor output, StatsOptions options, long? histogramSample)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var d = output.detach();
        if (d.dtype != ScalarType.Float32 && d.dtype != ScalarType.Float64) d = d.to(ScalarType.Float32);
        long count = d.numel();
        var range = options.Histogram;
        if (count == 0)
            return new ForwardStats(double.NaN, double.NaN, double.NaN, range is null ? [] : new double[range.Bins], 0);
        var mean = d.mean();
        var centred = d.sub(mean);
        double std = count < 2 ? double.NaN : Math.Sqrt(centred.mul_(centred).sum().ToDouble() / (count - 1));
        double nearZero = d.abs().lt(options.NearZeroThreshold).count_nonzero().ToInt64() / (double)count;
        return new ForwardStats(mean.ToDouble(), std, nearZero, range is null ? [] : Histogram(d, range, count, histogramSample), count);
    }

    /// <summary>
    /// Counts per bin, from the first items of the batch when the output holds more than <paramref name="sample"/>
    /// values (whole items: the loader shuffles, so they are a random subset of the batch), scaled up to the output's size.
    /// </summary>
    private static double[] Histogram(Tensor values, HistogramRange range, long count, long? sample)
    {
        var counted = values;
        double scale = 1;
        if (sample is { } limit && count > limit && values.Dimensions > 0 && values.shape[0] > 1)
        {
            long items = values.shape[0], perItem = count / items;
            long keep = Math.Max(1, limit / Math.Max(1, perItem));
            if (keep < items)
            {
                counted = values.narrow(0, 0, keep);
                scale = (double)count / (keep * perItem);
            }
        }
        // Float32 stops counting by ones past 2^24 in one bin.
        const long exactFloat32 = 1L << 24;
        if (counted.numel() > exactFloat32 && counted.dtype == ScalarType.Float32) counted = counted.to(ScalarType.Float64);
        // histc takes whole-number limits in TorchSharp: use them directly when the range has them, else map
        // [Min, Max] onto [0, Bins] first.
        bool whole = range.Min == Math.Floor(range.Min) && range.Max == Math.Floor(range.Max)
            && Math.Abs(range.Min) < 1e15 && Math.Abs(range.Max) < 1e15;
        var counts = whole
            ? counted.histc(range.Bins, (long)range.Min, (long)range.Max)
            : counted.sub(range.Min).mul(range.Bins / (range.Max - range.Min)).histc(range.Bins, 0, range.Bins);
        var result = counts.to(ScalarType.Float64).data<double>().ToArray();
        if (scale != 1)
            for (int i = 0; i < result.Length; i++) result[i] *= scale;
        return result;
    }
}
