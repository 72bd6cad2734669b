using Trainwright.Callbacks;
using Trainwright.Losses;
using Trainwright.Learning;
using Trainwright.Tests.Support;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Tests.Callbacks;

public class AvgStatsTests
{
    private static Tensor Accuracy(Tensor pred, Tensor y) => pred.argmax(1).eq(y).to(ScalarType.Float32).mean();

    private sealed class BatchLog : Callback
    {
        public List<(double Loss, int Size)> Train { get; } = [];
        public override void AfterBatch()
        {
            if (Learner.Training && Learner.Loss is not null) Train.Add((Learner.Loss.item<float>(), Learner.BatchSize));
        }
    }

    [Fact]
    public void AveragesAreWeightedByBatchSizeWithAnUnequalLastBatch()
    {
        // 10 training items in batches of 4, 4, 2; 10 validation items in batches of 8, 2.
        var data = Tiny.Data(trainItems: 10, validItems: 10, batchSize: 4);
        var stats = new AvgStats(new Metric("accuracy", Accuracy));
        var log = new BatchLog();
        var learner = Tiny.Learner(data, [stats, log]);
        learner.Fit(1);

        // Training: the hand-computed weighted mean of the per-batch losses.
        Assert.Equal([4, 4, 2], log.Train.Select(b => b.Size));
        double expectedTrain = log.Train.Sum(b => b.Loss * b.Size) / 10;
        Assert.Equal(expectedTrain, stats.Train!.Loss, 5);
        Assert.Equal(10, stats.Train.Count);

        // Validation: the loss and accuracy of the final model over the whole validation set at once.
        var (xv, yv) = Whole(data.Valid);
        learner.Model.eval();
        using var pred = learner.Model.call(xv);
        double wholeLoss = nn.functional.cross_entropy(pred, yv).item<float>();
        double wholeAcc = Accuracy(pred, yv).item<float>();
        Assert.Equal(wholeLoss, stats.Valid!.Loss, 5);
        Assert.Equal(wholeAcc, stats.Valid.Metrics["accuracy"], 6);

        // The naive mean of batch means differs here, so the test can tell the two apart.
        var perBatch = data.Valid.Select(b => { using (b) using (var p = learner.Model.call(b.Xb)) return (double)nn.functional.cross_entropy(p, b.Yb).item<float>(); }).ToList();
        Assert.NotEqual(Math.Round(perBatch.Average(), 5), Math.Round(wholeLoss, 5));
    }

    private sealed class MetricLog(Metric[] metrics) : Callback
    {
        public List<(double[] Values, int Size)> Train { get; } = [];
        public override void AfterBatch()
        {
            if (!Learner.Training || Learner.Loss is null) return;
            using var scope = NewDisposeScope();
            var values = new List<double> { Learner.Loss.item<float>() };
            foreach (var m in metrics)
                values.AddRange(m.Compute(Learner.Pred!, Learner.Yb).to_type(ScalarType.Float64).reshape(-1).data<double>().ToArray());
            Train.Add((values.ToArray(), Learner.BatchSize));
        }
    }

    [Fact]
    public void RowMeanMetricsMeasuredInGroupsOfBatchesEqualTheirBatchSizeWeightedPerBatchValues()
    {
        // 301 items in batches of 2: 151 batches, so the rows are measured in groups (64, 64, 23) with a last batch of 1.
        var data = Tiny.Data(trainItems: 301, validItems: 30, batchSize: 2, classes: 3);
        var metrics = new[] { ClassificationMetrics.Accuracy, ClassificationMetrics.MacroF1(3) };
        var stats = new AvgStats(metrics);
        Assert.True(stats.MeasuresInGroups);
        var log = new MetricLog(metrics);
        Tiny.Learner(data, [stats, log]).Fit(1);

        Assert.Equal(151, log.Train.Count);
        Assert.Equal(1, log.Train[^1].Size);
        var means = Enumerable.Range(0, log.Train[0].Values.Length)
            .Select(i => log.Train.Sum(b => b.Values[i] * b.Size) / 301).ToArray();
        Assert.Equal(means[0], stats.Train!.Loss, 5);
        Assert.Equal(means[1], stats.Train.Metrics["accuracy"], 6);
        Assert.Equal(metrics[1].Finish!(means[2..]), stats.Train.Metrics["macro_f1"], 6);
        Assert.Equal(301, stats.Train.Count);
        // A metric not declared a row mean keeps the per-batch path.
        Assert.False(new AvgStats(new Metric("accuracy", Accuracy)).MeasuresInGroups);
    }

    [Fact]
    public void HistoryHoldsOneTrainAndOneValidEntryPerEpochAndRaisesEvents()
    {
        var stats = new AvgStats();
        var raised = new List<PhaseStats>();
        stats.PhaseEnded += raised.Add;
        Tiny.Learner(callbacks: [stats]).Fit(2);
        Assert.Equal([true, false, true, false], stats.History.Select(h => h.Training));
        Assert.Equal([0, 0, 1, 1], stats.History.Select(h => h.Epoch));
        Assert.Equal(stats.History, raised);
        Assert.StartsWith("valid: loss ", stats.Valid!.ToString());
    }

    [Fact]
    public void DuplicateMetricNamesAreRefused() =>
        Assert.Throws<ArgumentException>(() => new AvgStats(new Metric("a", Accuracy), new Metric("a", Accuracy)));

    private static (Tensor X, Tensor Y) Whole(Trainwright.Data.IDataLoader loader)
    {
        var batches = loader.ToList();
        var x = cat(batches.Select(b => b.Xb).ToArray());
        var y = cat(batches.Select(b => b.Yb).ToArray());
        foreach (var b in batches) b.Dispose();
        return (x, y);
    }
}
