using System.Diagnostics;
using Trainwright.Learning;
using Trainwright.Runtime;
using static TorchSharp.torch;

namespace Trainwright.Callbacks;

/// <summary>
/// Chooses libtorch's intra-op thread count while training, by timing it: every core when that is faster, one thread
/// when other processes compete for the cores. libtorch's OpenMP pool makes each operation wait for its slowest thread,
/// so when another busy process holds a core, a two-thread pool can run a CNN step about 2× slower than one thread
/// (docs/benchmarks.md, "threads"), while on an idle machine the same pool is 1.7× faster. No fixed count is right for
/// both, and the load changes during a run.
/// </summary>
/// <remarks>
/// The decisions are <see cref="ThreadCountChooser"/>'s: a window of timed batches at each count, the faster by mean
/// kept, a second look after a while. Training batches are timed from <see cref="Event.BeforeBatch"/> to <see cref="Event.AfterBatch"/>;
/// validation runs at the count chosen. The count found before the fit is restored after it.
/// </remarks>
public sealed class ThreadTuner : Callback
{
    private readonly Func<ThreadCountChooser> makeChooser;
    private ThreadCountChooser? chooser;
    private int restore;
    private long started;

    /// <summary>Creates the tuner.</summary>
    /// <param name="maxThreads">The most threads to use (default: one per core); compared against one thread.</param>
    /// <param name="firstRecheck">Time until the first second look (default 5 s); it doubles while the choice holds.</param>
    /// <param name="minProbeTime">The shortest time each count is timed for (default 25 ms).</param>
    public ThreadTuner(int? maxThreads = null, TimeSpan? firstRecheck = null, TimeSpan? minProbeTime = null)
    {
        MaxThreads = maxThreads ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxThreads, 1, nameof(maxThreads));
        makeChooser = () => new ThreadCountChooser(MaxThreads, firstRecheck: firstRecheck, minProbeTime: minProbeTime);
    }

    /// <summary>The most threads used.</summary>
    public int MaxThreads { get; }

    /// <summary>The choices of the current (or last) fit.</summary>
    public IReadOnlyList<ThreadChoice> Choices => chooser?.Choices ?? [];

    /// <summary>The thread count in use, or chosen last (0 before the first fit).</summary>
    public int Threads => chooser?.Threads ?? 0;

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit;

    /// <inheritdoc />
    public override bool OnePerLearner => true;

    /// <inheritdoc />
    public override void BeforeFit()
    {
        restore = get_num_threads();
        chooser = makeChooser();
        set_num_threads(chooser.Threads);
    }

    /// <inheritdoc />
    public override void BeforeBatch()
    {
        if (Learner.Training) started = Stopwatch.GetTimestamp();
    }

    /// <inheritdoc />
    public override void AfterBatch()
    {
        if (!Learner.Training || chooser is null) return;
        var now = Stopwatch.GetTimestamp();
        int before = chooser.Threads;
        int next = chooser.Observe(Stopwatch.GetElapsedTime(started, now).TotalSeconds, Learner.BatchSize,
            TimeSpan.FromSeconds((double)now / Stopwatch.Frequency));
        if (next != before) set_num_threads(next);
    }

    /// <inheritdoc />
    public override void AfterFit() => set_num_threads(restore);
}
