using Trainwright.Callbacks;
using Trainwright.Runtime;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Runtime;

public sealed class ThreadCountChooserTests
{
    /// <summary>Runs <paramref name="batches"/> batches of <paramref name="size"/> rows whose time depends on the thread count.</summary>
    private static TimeSpan Run(ThreadCountChooser chooser, Func<int, double> secondsAt, int batches, TimeSpan clock,
        List<int>? used = null, int size = 64)
    {
        for (int i = 0; i < batches; i++)
        {
            double s = secondsAt(chooser.Threads);
            used?.Add(chooser.Threads);
            clock += TimeSpan.FromSeconds(s);
            chooser.Observe(s, size, clock);
        }
        return clock;
    }

    [Fact]
    public void MovesToEveryCoreWhenThatIsFasterAfterTimingBothOnce()
    {
        var chooser = new ThreadCountChooser(2, probeBatches: 4, firstRecheck: TimeSpan.FromSeconds(60));
        var used = new List<int>();
        Run(chooser, t => t == 2 ? 0.6 : 1.0, 40, TimeSpan.Zero, used);
        var choice = Assert.Single(chooser.Choices);
        Assert.Equal(new ThreadChoice(11, 1, 1.0, 2, 0.6, 2), choice);
        Assert.Equal(2, chooser.Threads);
        // Two settling batches and four timed at 1 thread, then one untimed and four timed at 2 threads, which stay.
        Assert.Equal(Enumerable.Repeat(1, 6).Concat(Enumerable.Repeat(2, 34)), used);
    }

    [Fact]
    public void FallsBackToOneThreadUnderLoadAndReturnsWhenTheLoadGoes()
    {
        var chooser = new ThreadCountChooser(2, probeBatches: 4, firstRecheck: TimeSpan.FromSeconds(5));
        var used = new List<int>();
        // Loaded: two threads take twice as long as one.
        var clock = Run(chooser, t => t == 2 ? 2.0 : 1.0, 15, TimeSpan.Zero, used);
        Assert.Equal(1, chooser.Threads);
        Assert.Equal(1, chooser.Choices[^1].Chosen);
        // Clearly slower after one timed batch: two threads ran only that one and the untimed one before it.
        Assert.Equal(2, used.Count(t => t == 2));
        // The load goes: at the next look (after 5 s) two threads win again.
        Run(chooser, t => t == 2 ? 0.6 : 1.0, 10, clock);
        Assert.Equal(2, chooser.Threads);
        Assert.Equal(2, chooser.Choices.Count);
        Assert.Equal((1, 2, 2), (chooser.Choices[1].Current, chooser.Choices[1].Other, chooser.Choices[1].Chosen));
    }

    [Fact]
    public void ShortBatchesAreTimedForAWholeWindowAndRareStallsCount()
    {
        // Under load two threads mostly run a 1 ms batch in 0.6 ms, but one batch in five stalls for 3 ms (a thread
        // waiting for a core): a median says two threads, the mean (1.08 ms) says one (1 ms).
        int k = 0;
        var chooser = new ThreadCountChooser(2, minProbeTime: TimeSpan.FromMilliseconds(25), firstRecheck: TimeSpan.FromSeconds(60));
        var used = new List<int>();
        Run(chooser, t => t == 1 ? 0.001 : ++k % 5 == 0 ? 0.003 : 0.0006, 200, TimeSpan.Zero, used);
        var choice = Assert.Single(chooser.Choices);
        Assert.Equal(1, choice.Chosen);
        Assert.Equal(0.001, choice.CurrentSeconds, 9);
        // The window at two threads (batches k = 2…25 after the untimed k = 1: 4 stalls, 20 short) is 26.4 ms over 24.
        Assert.Equal(0.0264 / 24, choice.OtherSeconds, 9);
        // Each window lasted at least 25 ms (the mean never reached 1.5× the one-thread mean, so no early end): 25
        // batches at one thread after two settling ones, and 24 at two after one untimed.
        Assert.Equal(27, used.Take(choice.Iteration).Count(t => t == 1));
        Assert.Equal(1 + 24, used.Take(choice.Iteration).Count(t => t == 2));
        Assert.True(used.Skip(choice.Iteration).All(t => t == 1));
    }

    [Fact]
    public void AStallOfTheOtherCountEndsItsWindowAtOnce()
    {
        // One thread runs 1 ms batches; two threads stall for 80 ms a batch (a thread waiting for a busy core).
        var chooser = new ThreadCountChooser(2, minProbeTime: TimeSpan.FromMilliseconds(25), firstRecheck: TimeSpan.FromSeconds(60));
        var used = new List<int>();
        Run(chooser, t => t == 1 ? 0.001 : 0.080, 100, TimeSpan.Zero, used);
        var choice = Assert.Single(chooser.Choices);
        Assert.Equal((1, 2, 1), (choice.Current, choice.Other, choice.Chosen));
        Assert.Equal(2, used.Count(t => t == 2)); // the untimed batch and one timed, not a 25 ms window of three
        // 1.4× slower is not clearly slower: that window runs whole (three batches of 1.4 ms, then to 25 ms).
        var close = new ThreadCountChooser(2, minProbeTime: TimeSpan.FromMilliseconds(25), firstRecheck: TimeSpan.FromSeconds(60));
        var closeUsed = new List<int>();
        Run(close, t => t == 1 ? 0.001 : 0.0014, 200, TimeSpan.Zero, closeUsed);
        Assert.Equal(1, Assert.Single(close.Choices).Chosen);
        Assert.Equal(1 + 18, closeUsed.Count(t => t == 2));
    }

    [Fact]
    public void AGainSmallerThanTheMarginDoesNotSwitchAndLooksComeLessOften()
    {
        var chooser = new ThreadCountChooser(2, probeBatches: 4, switchMargin: 0.05, firstRecheck: TimeSpan.FromSeconds(10), maxRecheck: TimeSpan.FromSeconds(40));
        // Two threads are 3% faster: not worth a switch. Each look is 9 timed batches of ~1 s.
        Run(chooser, t => t == 2 ? 0.97 : 1.0, 200, TimeSpan.Zero);
        Assert.All(chooser.Choices, c => Assert.Equal(1, c.Chosen));
        var at = chooser.Choices.Select(c => c.Iteration).ToArray();
        var gaps = at.Zip(at.Skip(1), (a, b) => b - a).ToArray();
        // Keeps of 10, 20, 40, 40 s (doubling to the limit), plus the batches of each look.
        Assert.True(gaps.Length >= 3, string.Join(",", at));
        Assert.True(gaps[1] > gaps[0] && gaps[2] > gaps[1], string.Join(",", gaps));
        Assert.Equal(gaps[2], gaps[^1]);
    }

    [Fact]
    public void SmallerBatchesAreNotTimedAndOneThreadMaxNeverProbes()
    {
        var chooser = new ThreadCountChooser(2, probeBatches: 4);
        Run(chooser, t => t == 2 ? 0.6 : 1.0, 7, TimeSpan.Zero);
        Assert.Equal(2, chooser.Threads); // probing two threads
        Run(chooser, t => 100.0, 5, TimeSpan.FromSeconds(100), size: 10); // a short last batch, wildly slow: ignored
        Run(chooser, t => t == 2 ? 0.6 : 1.0, 4, TimeSpan.FromSeconds(200));
        Assert.Equal(0.6, Assert.Single(chooser.Choices).OtherSeconds);

        var single = new ThreadCountChooser(1);
        Run(single, _ => 1.0, 50, TimeSpan.Zero);
        Assert.Empty(single.Choices);
        Assert.Equal(1, single.Threads);
    }

    [Fact]
    public void TheTunerSetsTheChosenCountDuringTheFitAndRestoresTheCountAfter()
    {
        int before = get_num_threads();
        try
        {
            set_num_threads(1);
            var tuner = new ThreadTuner(maxThreads: 2, minProbeTime: TimeSpan.Zero);
            var seen = new ThreadsSeen();
            Tiny.Learner(Tiny.Data(trainItems: 160, validItems: 16, batchSize: 8), [tuner, seen]).Fit(1);
            Assert.Equal(1, get_num_threads());
            // 20 batches: 2 settle + 3 timed at 1 thread, then 2 threads (1 untimed and 1 to 3 timed), then the faster one.
            Assert.Equal(Enumerable.Repeat(1, 5).Append(2).Append(2), seen.Threads.Take(7));
            var choice = Assert.Single(tuner.Choices);
            Assert.Equal(choice.Chosen, seen.Threads[^1]);
            Assert.Equal(tuner.Threads, choice.Chosen);
        }
        finally { set_num_threads(before); }
    }

    private sealed class ThreadsSeen : Trainwright.Learning.Callback
    {
        public List<int> Threads { get; } = [];
        public override void AfterPred()
        {
            if (Learner.Training) Threads.Add(get_num_threads());
        }
    }
}
