using Trainwright.Callbacks;
using Trainwright.Losses;
using Trainwright.Tests.Support;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Tests.Callbacks;

public class StandardCallbacksTests
{
    [Fact]
    public void ClassificationGivesFreshAvgStatsWithAccuracyARecorderAndOptionallyProgress()
    {
        var factories = StandardCallbacks.Classification(progress: ShowProgress.No).ToList();
        var first = factories.Select(f => f()).ToList();
        var second = factories.Select(f => f()).ToList();
        Assert.Equal(["AvgStats", "Recorder"], first.Select(c => c.Name));
        Assert.All(first.Zip(second), p => Assert.NotSame(p.First, p.Second));
        Assert.Equal(["accuracy"], ((AvgStats)first[0]).MetricNames);

        var withProgress = StandardCallbacks.Classification(console: ProgressDisplay.PlainConsole(TextWriter.Null)).Select(f => f()).ToList();
        Assert.IsType<ProgressDisplay>(withProgress[^1]);
    }

    [Fact]
    public void TheAccuracyIsTheShareOfArgmaxHits()
    {
        var data = Tiny.Data(trainItems: 16, validItems: 12, batchSize: 4);
        var learner = Tiny.Learner(data).Add(StandardCallbacks.Classification(progress: ShowProgress.No));
        learner.Fit(1);

        // Hand count over the whole validation set with the final model.
        learner.Model.eval();
        int hits = 0, n = 0;
        foreach (var b in data.Valid)
        {
            using (b)
            using (var p = learner.Model.call(b.Xb))
            {
                var predicted = p.argmax(1).data<long>().ToArray();
                var truth = b.Yb.data<long>().ToArray();
                hits += predicted.Zip(truth).Count(t => t.First == t.Second);
                n += truth.Length;
            }
        }
        Assert.Equal((double)hits / n, learner.Get<AvgStats>().Valid!.Metrics["accuracy"], 6);
    }

    [Fact]
    public void ForTakesAnyMetricsAndChecksThem()
    {
        static Tensor Zero(Tensor p, Tensor y) => zeros(1);
        var cbs = StandardCallbacks.For(ShowProgress.No, new Metric("a", Zero), new Metric("b", Zero)).Select(f => f()).ToList();
        Assert.Equal(["a", "b"], ((AvgStats)cbs[0]).MetricNames);
        Assert.Throws<ArgumentException>(() => StandardCallbacks.For(ShowProgress.No, new Metric("a", Zero), new Metric("a", Zero)));
    }
}
