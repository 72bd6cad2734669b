namespace Trainwright.Runtime;

/// <summary>
/// The decisions of <see cref="Callbacks.ThreadTuner"/>, apart from the clock and libtorch so they can be tested: fed
/// the time of each training batch, it says which thread count the next batch should use.
/// </summary>
/// <remarks>
/// After <see cref="SettleBatches"/> it takes the median of <see cref="ProbeBatches"/> full batches at the current
/// count, then (after one untimed batch) the median of as many at the other count, keeps the faster (switching only
/// when the other is at least <see cref="SwitchMargin"/> faster) and looks again after <see cref="FirstRecheck"/>, a
/// time that doubles up to <see cref="MaxRecheck"/> while the choice holds and starts over when it changes. A batch
/// smaller than the largest seen (the last of an epoch) is not timed.
/// </remarks>
public sealed class ThreadCountChooser
{
    private enum Stage { Settle, TimeCurrent, TimeOther, Keep }

    private readonly List<double> samples = [];
    private readonly List<ThreadChoice> choices = [];
    private int other, settleLeft, fullBatch, batches;
    private double currentMedian;
    private TimeSpan recheck, keepUntil;
    private Stage stage;

    /// <summary>Starts at <paramref name="maxThreads"/>, to be compared against one thread.</summary>
    public ThreadCountChooser(int maxThreads, int probeBatches = 3, int settleBatches = 2, double switchMargin = 0.05,
        TimeSpan? firstRecheck = null, TimeSpan? maxRecheck = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(probeBatches, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(settleBatches);
        ArgumentOutOfRangeException.ThrowIfNegative(switchMargin);
        ProbeBatches = probeBatches;
        SettleBatches = settleBatches;
        SwitchMargin = switchMargin;
        FirstRecheck = firstRecheck ?? TimeSpan.FromSeconds(5);
        MaxRecheck = maxRecheck ?? TimeSpan.FromSeconds(80);
        Threads = maxThreads;
        other = 1;
        settleLeft = settleBatches;
        recheck = FirstRecheck;
        stage = maxThreads > 1 ? (settleBatches > 0 ? Stage.Settle : Stage.TimeCurrent) : Stage.Keep;
        keepUntil = TimeSpan.MaxValue;
    }

    /// <summary>Full batches timed at each count before choosing.</summary>
    public int ProbeBatches { get; }

    /// <summary>Batches run before the first timing (the first batches pay one-time costs).</summary>
    public int SettleBatches { get; }

    /// <summary>How much faster, as a fraction, the other count must be to switch to it.</summary>
    public double SwitchMargin { get; }

    /// <summary>Time from a choice that changed the count to the next look.</summary>
    public TimeSpan FirstRecheck { get; }

    /// <summary>The longest time between looks.</summary>
    public TimeSpan MaxRecheck { get; }

    /// <summary>The thread count the next batch should use.</summary>
    public int Threads { get; private set; }

    /// <summary>Every choice made so far.</summary>
    public IReadOnlyList<ThreadChoice> Choices => choices;

    /// <summary>
    /// Takes a training batch that ran at <see cref="Threads"/>: <paramref name="seconds"/> long, of
    /// <paramref name="batchSize"/> rows, ending at <paramref name="now"/> (any monotonic clock); returns
    /// <see cref="Threads"/> for the next batch.
    /// </summary>
    public int Observe(double seconds, int batchSize, TimeSpan now)
    {
        batches++;
        if (stage == Stage.Keep && now < keepUntil) return Threads;
        if (batchSize > fullBatch)
        {
            fullBatch = batchSize;
            samples.Clear();
        }
        else if (batchSize < fullBatch) return Threads;
        switch (stage)
        {
            case Stage.Settle:
                if (--settleLeft <= 0) stage = Stage.TimeCurrent;
                break;
            case Stage.Keep:
                samples.Clear();
                samples.Add(seconds);
                stage = ProbeBatches == 1 ? Probe() : Stage.TimeCurrent;
                break;
            case Stage.TimeCurrent:
                samples.Add(seconds);
                if (samples.Count >= ProbeBatches) stage = Probe();
                break;
            case Stage.TimeOther:
                if (settleLeft-- > 0) break;
                samples.Add(seconds);
                if (samples.Count >= ProbeBatches) Choose(Median(samples), now);
                break;
        }
        return Threads;
    }

    private Stage Probe()
    {
        currentMedian = Median(samples);
        samples.Clear();
        (Threads, other) = (other, Threads);
        // The first batch at the other count pays for waking or parking threads: it is not timed.
        settleLeft = 1;
        return Stage.TimeOther;
    }

    private void Choose(double otherMedian, TimeSpan now)
    {
        // Threads is the count just timed ("other" holds the one in use before the probe).
        bool switching = otherMedian < currentMedian * (1 - SwitchMargin);
        choices.Add(new ThreadChoice(batches, other, currentMedian, Threads, otherMedian, switching ? Threads : other));
        if (switching) recheck = FirstRecheck;
        else (Threads, other) = (other, Threads);
        samples.Clear();
        stage = Stage.Keep;
        keepUntil = now + recheck;
        if (!switching) recheck = TimeSpan.FromTicks(Math.Min(recheck.Ticks * 2, MaxRecheck.Ticks));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
