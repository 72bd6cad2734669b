using Trainwright.Learning;

namespace Trainwright.Callbacks;

/// <summary>
/// Tracks the best value of one of <see cref="AvgStats"/>'s numbers across epochs (shared by EarlyStopping and
/// SaveModel, so both judge "better" the same way).
/// </summary>
public sealed class ImprovementTracker
{
    /// <summary>Creates a monitor of <paramref name="name"/> (e.g. valid_loss, valid_accuracy).</summary>
    public ImprovementTracker(string name, MonitorMode mode = MonitorMode.Auto, double minDelta = 0)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Name the value to monitor, e.g. valid_loss.", nameof(name));
        if (!(minDelta >= 0)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "The minimum improvement must be zero or more.");
        Name = name;
        Mode = mode != MonitorMode.Auto ? mode
            : name.Contains("loss", StringComparison.OrdinalIgnoreCase) || name.Contains("error", StringComparison.OrdinalIgnoreCase) ? MonitorMode.Min
            : MonitorMode.Max;
        MinDelta = minDelta;
    }

    /// <summary>The monitored name.</summary>
    public string Name { get; }

    /// <summary>Min or Max (never Auto once constructed).</summary>
    public MonitorMode Mode { get; }

    /// <summary>How much better a value must be to count as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The best value seen, or null before the first.</summary>
    public double? Best { get; private set; }

    /// <summary>Forgets the best value.</summary>
    public void Reset() => (Best, BestEpoch) = (null, null);

    /// <summary>Starts from a best value seen earlier (e.g. by the run a resumed fit continues).</summary>
    public void StartFrom(double best) => (Best, BestEpoch) = (double.IsNaN(best) ? null : best, null);

    /// <summary>The 1-based epoch of <see cref="Best"/>, or null (set by <see cref="Improved(double, int)"/>).</summary>
    public int? BestEpoch { get; private set; }

    /// <summary>
    /// Checks, before a fit, that the learner's AvgStats will compute the monitored value, so a misspelt name fails at
    /// once rather than after a whole epoch.
    /// </summary>
    /// <exception cref="InvalidOperationException">No AvgStats is attached, or it does not compute <see cref="Name"/>.</exception>
    public void Check(Learner learner, string owner)
    {
        ArgumentNullException.ThrowIfNull(learner);
        if (!learner.TryGet<AvgStats>(out var stats))
            throw new InvalidOperationException($"{owner} monitors '{Name}', which AvgStats computes, but no AvgStats callback is attached. "
                + "Add one (e.g. learner.Add(StandardCallbacks.Classification())).");
        if (!stats.ValueNames.Contains(Name) && !stats.MetricNames.Contains(Name))
            throw new InvalidOperationException($"{owner} monitors '{Name}', which AvgStats does not compute. Known: {string.Join(", ", stats.ValueNames)}.");
    }

    /// <summary>Reads the current value from the learner's AvgStats; throws a clear error when it cannot.</summary>
    public double Read(Learner learner, string owner)
    {
        Check(learner, owner);
        var stats = learner.Get<AvgStats>();
        if (stats.TryGetValue(Name, out var value)) return value;
        throw new InvalidOperationException($"{owner} monitors '{Name}', but AvgStats has no value for it yet in this fit: the "
            + $"{(Name.StartsWith("train_", StringComparison.Ordinal) ? "training" : "validation")} pass it comes from has not finished (was it cancelled?).");
    }

    /// <summary>Records <paramref name="value"/>; true when it beats the best so far by more than <see cref="MinDelta"/>.</summary>
    public bool Improved(double value)
    {
        if (double.IsNaN(value)) return false;
        bool better = Best is not { } best
            || (Mode == MonitorMode.Min ? value < best - MinDelta : value > best + MinDelta);
        if (better) Best = value;
        return better;
    }

    /// <summary>As <see cref="Improved(double)"/>, remembering <paramref name="epoch"/> (1-based) as <see cref="BestEpoch"/> on an improvement.</summary>
    public bool Improved(double value, int epoch)
    {
        bool better = Improved(value);
        if (better) BestEpoch = epoch;
        return better;
    }
}
