using TorchSharp;
using Trainwright.Learning;
using Trainwright.Losses;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Callbacks;

/// <summary>
/// Averages the loss and any metrics over each training and validation pass, weighted by batch size, so the result is
/// exact even when the last batch is smaller. Sums stay on the device during the pass (no per-batch sync) and are read
/// once when the pass ends.
/// </summary>
public sealed class AvgStats : Callback, IFitResultContributor
{
    private readonly Metric[] metrics;
    // Where each metric's statistics start in the sums (after the loss at 0), and whether every metric is a plain mean.
    private readonly int[] offsets;
    private readonly int width;
    private readonly bool allScalar;
    private readonly List<PhaseStats> history = [];
    // Set when every metric is a row mean: predictions wait here and are measured a group of batches at a time, and
    // the loss is summed on its own.
    private readonly PendingRows? pending;
    private Tensor? sums, lossSum;
    private int count;
    private bool? passTraining;

    /// <summary>Creates the callback with named metrics (e.g. <see cref="ClassificationMetrics.Accuracy"/>).</summary>
    public AvgStats(params Metric[] metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Any(m => m is null)) throw new ArgumentException("A metric is null.", nameof(metrics));
        var dup = metrics.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Two metrics are named '{dup.Key}'; names must be unique.", nameof(metrics));
        this.metrics = metrics;
        offsets = new int[metrics.Length];
        width = 1;
        for (int i = 0; i < metrics.Length; i++) { offsets[i] = width; width += metrics[i].StatCount; }
        allScalar = metrics.All(m => m.Finish is null && m.StatCount == 1);
        if (metrics.Length > 0 && metrics.All(m => m.RowMean)) pending = new PendingRows();
    }

    /// <summary>True when every metric is a row mean, so they are computed a group of batches at a time.</summary>
    internal bool MeasuresInGroups => pending is not null;

    /// <inheritdoc />
    public override int Order => CallbackOrder.AvgStats;

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit;

    /// <inheritdoc />
    public override bool OnePerLearner => true;

    /// <inheritdoc />
    public override bool ReportsTraining => true;

    /// <summary>The metrics, in order (also what <c>learner.Validate()</c> computes).</summary>
    public IReadOnlyList<Metric> Metrics => metrics;

    /// <summary>Names of the metrics, in order.</summary>
    public IReadOnlyList<string> MetricNames => [.. metrics.Select(m => m.Name)];

    /// <summary>The most recent training pass, or null before the first one ends.</summary>
    public PhaseStats? Train { get; private set; }

    /// <summary>The most recent validation pass, or null before the first one ends.</summary>
    public PhaseStats? Valid { get; private set; }

    /// <summary>Every finished pass of the current fit, in order.</summary>
    public IReadOnlyList<PhaseStats> History => history;

    /// <summary>Raised when a pass ends, with its stats.</summary>
    public event Action<PhaseStats>? PhaseEnded;

    /// <summary>
    /// Optional: combines this process's totals of a pass with those of the other processes of a distributed run before
    /// the means are taken, so the stats cover every process's items exactly. It receives whether the pass was training,
    /// the batch-size-weighted sums (loss first, then each metric's statistics in <see cref="MetricNames"/> order) and the item count,
    /// and returns the combined sums and count. Null (the default) keeps this process's own totals. Every process must
    /// call it at the same passes (it usually runs a collective operation).
    /// </summary>
    public Func<bool, double[], int, (double[] Sums, int Count)>? CombineTotals { get; set; }

    /// <summary>
    /// Reads a value of the latest passes by name: <c>train_loss</c>, <c>valid_loss</c>, <c>train_&lt;metric&gt;</c>,
    /// <c>valid_&lt;metric&gt;</c>, or a bare metric name (its validation value).
    /// </summary>
    /// <returns>False when the name is unknown or that pass has not finished yet.</returns>
    public bool TryGetValue(string name, out double value)
    {
        ArgumentNullException.ThrowIfNull(name);
        value = double.NaN;
        var (phase, key) = name.StartsWith("train_", StringComparison.Ordinal) ? (Train, name[6..])
            : name.StartsWith("valid_", StringComparison.Ordinal) ? (Valid, name[6..])
            : (Valid, name);
        if (phase is null) return false;
        if (key == "loss") { value = phase.Loss; return true; }
        return phase.Metrics.TryGetValue(key, out value);
    }

    /// <summary>Every name <see cref="TryGetValue"/> accepts.</summary>
    public IEnumerable<string> ValueNames =>
        ["train_loss", "valid_loss", .. MetricNames.SelectMany(m => new[] { $"train_{m}", $"valid_{m}" })];

    /// <inheritdoc />
    public override void BeforeFit()
    {
        history.Clear();
        Train = Valid = null;
    }

    /// <inheritdoc />
    public override void BeforeTrain() => Reset();

    /// <inheritdoc />
    public override void BeforeValidate() => Reset();

    /// <inheritdoc />
    public override void AfterBatch()
    {
        var l = Learner;
        if (l.Loss is null || sums is null) return;
        int bs = l.BatchSize;
        // Under no_grad nothing here joins the graph, so no detach is needed; the float32 values are promoted into
        // the float64 sums in place. No host sync.
        using var _ = no_grad();
        count += bs;
        if (pending is not null)
        {
            lossSum!.add_(l.Loss, alpha: bs);
            pending.Add(l.Pred!, l.Yb, bs);
            if (pending.Full) MeasurePending();
            return;
        }
        var values = new Tensor[metrics.Length + 1];
        values[0] = l.Loss;
        for (int i = 0; i < metrics.Length; i++) values[i + 1] = Checked(metrics[i], metrics[i].Compute(l.Pred!, l.Yb));
        if (allScalar) sums.add_(stack(values), alpha: bs);
        else
        {
            using var scope = NewDisposeScope();
            sums.add_(Row(values), alpha: bs);
        }
    }

    /// <summary>Adds the metrics of the rows waiting in <see cref="pending"/>, weighted by their count, to the sums.</summary>
    private void MeasurePending()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (pending?.Take() is not var (pred, target, rows)) return;
        var values = metrics.Select(m => Checked(m, m.Compute(pred, target))).ToArray();
        using var tail = sums!.narrow(0, 1, width - 1);
        tail.add_(allScalar ? stack(values) : Row(values), alpha: rows);
    }

    // Accumulating metrics return vectors of statistics: flatten everything into one row of the sums.
    private static Tensor Row(Tensor[] values) => cat(values.Select(v => v.to_type(ScalarType.Float64).reshape(-1)).ToArray());

    /// <inheritdoc />
    public override void AfterTrain() => Finish(training: true);

    /// <inheritdoc />
    public override void AfterValidate() => Finish(training: false);

    /// <inheritdoc />
    public override void AfterFit()
    {
        pending?.Clear();
        sums?.Dispose();
        lossSum?.Dispose();
        sums = lossSum = null;
    }

    private void Reset()
    {
        passTraining = Learner.Training;
        pending?.Clear();
        sums?.Dispose();
        lossSum?.Dispose();
        // Made outside any batch's dispose scope on purpose: they live for the whole pass.
        var device = Devices.Of(Learner.Model);
        sums = zeros(width, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
        lossSum = pending is null ? null : zeros(1, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
        count = 0;
    }

    private void Finish(bool training)
    {
        // A pass cancelled before this callback's Before… event ran has nothing of its own to report.
        if (sums is null || passTraining != training) return;
        passTraining = null;
        MeasurePending();
        var totals = HostValues(sums);
        if (lossSum is not null) totals[0] = HostValues(lossSum)[0];
        int count = this.count;
        if (CombineTotals is not null) (totals, count) = CombineTotals(training, totals, count);
        var means = count == 0 ? totals.Select(_ => double.NaN).ToArray() : totals.Select(t => t / count).ToArray();
        var stats = new PhaseStats(Learner.Epoch, training, count, means[0],
            metrics.Select((m, i) => (m.Name, ValueOf(m, means, offsets[i]))).ToDictionary(p => p.Name, p => p.Item2));
        if (training) Train = stats; else Valid = stats;
        history.Add(stats);
        PhaseEnded?.Invoke(stats);
    }

    private static double[] HostValues(Tensor t)
    {
        if (t.device_type == DeviceType.CPU) return t.data<double>().ToArray();
        using var host = t.cpu();
        return host.data<double>().ToArray();
    }

    /// <summary>The metric's value for one batch, refused with the metric's name unless it has the promised size.</summary>
    internal static Tensor Checked(Metric metric, Tensor value)
    {
        if (value is null)
            throw new InvalidOperationException($"Metric '{metric.Name}' returned null; a metric must return a tensor.");
        if (metric.StatCount == 1 && value.numel() != 1)
            throw new InvalidOperationException(
                $"Metric '{metric.Name}' returned a tensor of shape [{string.Join(", ", value.shape)}]; a metric must return a scalar "
                + "for the whole batch (e.g. end it with .mean()), which AvgStats weights by the batch size.");
        if (metric.StatCount > 1 && value.numel() != metric.StatCount)
            throw new InvalidOperationException(
                $"Metric '{metric.Name}' returned {value.numel()} values; it declares {metric.StatCount} statistics per batch.");
        return value;
    }

    /// <inheritdoc />
    public FitResult Contribute(FitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var epochs = history.Select(h => h.Epoch).Distinct().Order().Select(e =>
        {
            var train = history.LastOrDefault(h => h.Epoch == e && h.Training);
            var valid = history.LastOrDefault(h => h.Epoch == e && !h.Training);
            return new EpochRecord(e + 1, train?.Loss, valid?.Loss, valid?.Metrics ?? new Dictionary<string, double>());
        });
        return result with { History = [.. epochs] };
    }

    internal static double ValueOf(Metric metric, double[] means, int offset) =>
        metric.Finish is null ? means[offset] : metric.Finish(new ArraySegment<double>(means, offset, metric.StatCount));
}
