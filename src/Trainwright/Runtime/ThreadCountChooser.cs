namespace Trainwright.Runtime;

/// <summary>
/// The decisions of <see cref="Callbacks.ThreadTuner"/>, apart from the clock and libtorch so they can be tested: fed
/// the time of each training batch, it says which thread count the next batch should use.
/// </summary>
/// <remarks>
/// It starts at one thread. After <see cref="SettleBatches"/> it times a window of full batches at the current count,
/// then (after one untimed batch) a window at the other count, keeps the faster by mean time a batch (switching only
/// when the other is at least <see cref="SwitchMargin"/> faster) and looks again after <see cref="FirstRecheck"/>, a time
/// that doubles up to <see cref="MaxRecheck"/> while the choice holds and starts over when it changes. A window is at
/// least <see cref="ProbeBatches"/> batches and <see cref="MinProbeTime"/> long: under load the cost of a thread pool is
/// in rare long stalls (a thread waiting for its turn on a core while the others wait for it), which only a mean over
/// several of the scheduler's time slices sees; a median of a few short batches misses them. The window at the other
/// count ends early, after a fifth of <see cref="MinProbeTime"/>, when its mean is already over
/// <see cref="ClearlySlower"/> times the current count's: under load a pool loses by 2× or more, and a single stall can
/// last 80 ms, so a whole window would cost more than the choice saves in a short fit. Starting at one thread makes the
/// first comparison against all cores such a window. A batch smaller than the largest seen (the last of an epoch) is
/// not timed.
/// </remarks>
public sealed class ThreadCountChooser
{
    private enum Stage { Settle, TimeCurrent, TimeOther, Keep }

    private readonly List<ThreadChoice> choices = [];
    private int other, settleLeft, fullBatch, batches, windowBatches;
    private double windowSeconds, currentMean;
    private TimeSpan recheck, keepUntil;
    private Stage stage;

    /// <summary>How many times slower than the current count the other must be to end its window early.</summary>
    public const double ClearlySlower = 1.5;

    /// <summary>Starts at one thread, to be compared against <paramref name="maxThreads"/>.</summary>
    public ThreadCountChooser(int maxThreads, int probeBatches = 3, int settleBatches = 2, double switchMargin = 0.05,
        TimeSpan? firstRecheck = null, TimeSpan? maxRecheck = null, TimeSpan? minProbeTime = null)
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
        MinProbeTime = minProbeTime ?? TimeSpan.FromMilliseconds(25);
        Threads = 1;
        other = maxThreads;
        settleLeft = settleBatches;
        recheck = FirstRecheck;
        stage = maxThreads > 1 ? (settleBatches > 0 ? Stage.Settle : Stage.TimeCurrent) : Stage.Keep;
        keepUntil = TimeSpan.MaxValue;
    }

    /// <summary>The fewest full batches timed at each count before choosing.</summary>
    public int ProbeBatches { get; }

    /// <summary>The shortest time a count is timed for before choosing.</summary>
    public TimeSpan MinProbeTime { get; }

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
            ClearWindow();
        }
        else if (batchSize < fullBatch) return Threads;
        switch (stage)
        {
            case Stage.Settle:
                if (--settleLeft <= 0) stage = Stage.TimeCurrent;
                break;
            case Stage.Keep:
                ClearWindow();
                stage = Add(seconds) ? Probe() : Stage.TimeCurrent;
                break;
            case Stage.TimeCurrent:
                if (Add(seconds)) stage = Probe();
                break;
            case Stage.TimeOther:
                if (settleLeft-- > 0) break;
                if (Add(seconds) || ClearlySlowerSoFar()) Choose(windowSeconds / windowBatches, now);
                break;
        }
        return Threads;
    }

    /// <summary>Adds a batch to the window; true when the window is complete.</summary>
    private bool Add(double seconds)
    {
        windowSeconds += seconds;
        windowBatches++;
        return windowBatches >= ProbeBatches && windowSeconds >= MinProbeTime.TotalSeconds;
    }

    private bool ClearlySlowerSoFar() =>
        windowSeconds >= MinProbeTime.TotalSeconds / 5 && windowSeconds / windowBatches > currentMean * ClearlySlower;

    private void ClearWindow() => (windowSeconds, windowBatches) = (0, 0);

    private Stage Probe()
    {
        currentMean = windowSeconds / windowBatches;
        ClearWindow();
        (Threads, other) = (other, Threads);
        // The first batch at the other count pays for waking or parking threads: it is not timed.
        settleLeft = 1;
        return Stage.TimeOther;
    }

    private void Choose(double otherMean, TimeSpan now)
    {
        // Threads is the count just timed ("other" holds the one in use before the probe).
        bool switching = otherMean < currentMean * (1 - SwitchMargin);
        choices.Add(new ThreadChoice(batches, other, currentMean, Threads, otherMean, switching ? Threads : other));
        if (switching) recheck = FirstRecheck;
        else (Threads, other) = (other, Threads);
        ClearWindow();
        stage = Stage.Keep;
        keepUntil = now + recheck;
        if (!switching) recheck = TimeSpan.FromTicks(Math.Min(recheck.Ticks * 2, MaxRecheck.Ticks));
    }
}
