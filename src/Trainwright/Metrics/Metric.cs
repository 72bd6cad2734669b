namespace Trainwright.Metrics;

/// <summary>A named metric, so statistics can be printed and plotted under its name.</summary>
/// <param name="Name">Short name shown in reports, e.g. "accuracy".</param>
/// <param name="Compute">
/// Computes the batch mean of the metric (a 0-d tensor) or, for an accumulating metric (<see cref="Finish"/> set), a
/// 1-d tensor of <see cref="StatCount"/> batch means of the statistics the metric is built from.
/// </param>
public sealed record Metric(string Name, MetricFunction Compute)
{
    /// <summary>
    /// How many statistics <see cref="Compute"/> returns per batch: 1 for an ordinary metric, more for an accumulating one.
    /// </summary>
    public int StatCount { get; init; } = 1;

    /// <summary>
    /// Null for a metric whose epoch value is the item-weighted mean of its batch values (accuracy, MAE). Otherwise the
    /// metric is not batch-averageable (RMSE, R², macro F1): <see cref="Compute"/> returns batch means of statistics
    /// that are (e.g. sums of squares, per-class counts as fractions of the batch), the caller averages those over the
    /// whole pass weighted by batch size, and this function turns the pass means into the metric's value.
    /// </summary>
    public Func<IReadOnlyList<double>, double>? Finish { get; init; }

    /// <summary>
    /// True when <see cref="Compute"/> is a mean over the batch's rows of a value (or statistics) of each row alone, so
    /// that computing it once over several batches' rows joined gives the row-weighted mean of its per-batch values.
    /// <see cref="Callbacks.AvgStats"/> then computes it once per group of batches instead of on every batch, which
    /// saves a few native calls a batch. Every built-in metric is one; leave it false for a metric of the batch as a
    /// whole (e.g. one that normalises within the batch).
    /// </summary>
    public bool RowMean { get; init; }

    /// <summary>
    /// A metric computed at the end of a pass from statistics accumulated over every batch (see <see cref="Finish"/>).
    /// </summary>
    /// <param name="name">Short name shown in reports.</param>
    /// <param name="statCount">Length of the statistics vector <paramref name="stats"/> returns.</param>
    /// <param name="stats">Batch means of the statistics, a 1-d tensor of length <paramref name="statCount"/>.</param>
    /// <param name="finish">The metric from the statistics' means over the whole pass.</param>
    /// <param name="rowMean">Whether the statistics are means over rows of per-row values (see <see cref="RowMean"/>).</param>
    public static Metric Accumulating(string name, int statCount, MetricFunction stats, Func<IReadOnlyList<double>, double> finish,
        bool rowMean = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statCount, 1);
        ArgumentNullException.ThrowIfNull(finish);
        return new Metric(name, stats) { StatCount = statCount, Finish = finish, RowMean = rowMean };
    }
}
