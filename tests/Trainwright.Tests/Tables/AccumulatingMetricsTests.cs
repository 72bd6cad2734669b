using Trainwright.Metrics;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Tables;

/// <summary>
/// RMSE, R², balanced accuracy and macro F1 through AvgStats with uneven batches must equal the same metric computed
/// by hand on the whole validation set at once (a mean of batch values would not).
/// </summary>
public class AccumulatingMetricsTests
{
    /// <summary>Outputs its input unchanged (plus 0·w so there is a parameter to "train"): predictions are the inputs.</summary>
    private sealed class Passthrough : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter w = nn.Parameter(zeros(1));
        public Passthrough() : base("pass") => RegisterComponents();
        public override Tensor forward(Tensor x) => x + w * 0;
    }

    private static PhaseStats Validate(Tensor pred, Tensor target, LossFunction loss, int batchSize, params Metric[] metrics)
    {
        var stats = new AvgStats(metrics);
        var data = new DataBunch(new InMemoryLoader(pred, target, batchSize), new InMemoryLoader(pred, target, batchSize), 1);
        new Learner(new Passthrough(), data, loss, PlainSgd.Factory, 0.1, [stats]).Fit(1);
        return stats.Valid!;
    }

    [Fact]
    public void RegressionMetricsEqualTheirClosedFormsOverTheWholePass()
    {
        var rng = new Random(3);
        int n = 53; // batches of 10: five full and one of 3
        var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 10).ToArray();
        var p = y.Select(v => v + (rng.NextDouble() - 0.5) * 3).ToArray();
        // Metrics in "original units" through an affine map, as TabularData uses them.
        static Tensor Map(Tensor t) => t * 2.0 + 1.0;
        var stats = Validate(tensor(p.Select(v => (float)v).ToArray()).reshape(n, 1), tensor(y.Select(v => (float)v).ToArray()),
            RegressionLosses.Mse, 10, RegressionMetrics.Rmse(Map), RegressionMetrics.Mae(Map), RegressionMetrics.R2(Map));

        var yo = y.Select(v => 2 * (double)(float)v + 1).ToArray();
        var po = p.Select(v => 2 * (double)(float)v + 1).ToArray();
        double mse = yo.Zip(po).Average(t => (t.First - t.Second) * (t.First - t.Second));
        double mae = yo.Zip(po).Average(t => Math.Abs(t.First - t.Second));
        double mean = yo.Average();
        double r2 = 1 - yo.Zip(po).Sum(t => (t.First - t.Second) * (t.First - t.Second)) / yo.Sum(v => (v - mean) * (v - mean));
        Assert.Equal(Math.Sqrt(mse), stats.Metrics["rmse"], 1e-9);
        Assert.Equal(mae, stats.Metrics["mae"], 1e-9);
        Assert.Equal(r2, stats.Metrics["r2"], 1e-9);
        // The naive mean of per-batch R² differs, so the test tells the two apart.
        var batchR2 = Enumerable.Range(0, 6).Select(b =>
        {
            var ys = yo.Skip(b * 10).Take(10).ToArray();
            var ps = po.Skip(b * 10).Take(10).ToArray();
            double m = ys.Average();
            return 1 - ys.Zip(ps).Sum(t => (t.First - t.Second) * (t.First - t.Second)) / ys.Sum(v => (v - m) * (v - m));
        }).Average();
        Assert.True(Math.Abs(batchR2 - r2) > 1e-3);
        // The loss is the plain MSE on the model's scale, exact under batch-size weighting.
        Assert.Equal(y.Zip(p).Average(t => ((float)t.First - (double)(float)t.Second) * ((float)t.First - (double)(float)t.Second)), stats.Loss, 1e-5);
    }

    [Fact]
    public void BalancedAccuracyAndMacroF1EqualHandCountsOverTheWholePass()
    {
        var rng = new Random(5);
        int n = 47, classes = 4;
        // Skewed classes: class 3 is rare and class 2 never predicted, which macro averages must handle.
        var y = Enumerable.Range(0, n).Select(i => i % 11 == 0 ? 3 : rng.Next(3)).ToArray();
        var predicted = y.Select(c => rng.NextDouble() < 0.7 ? c : rng.Next(classes)).Select(c => c == 2 ? 1 : c).ToArray();
        var scores = new float[n * classes];
        for (int i = 0; i < n; i++) scores[i * classes + predicted[i]] = 5;
        var stats = Validate(tensor(scores).reshape(n, classes), tensor(y.Select(c => (long)c).ToArray()),
            LossFunctions.CrossEntropyLoss, 8, ClassificationMetrics.Accuracy, ClassificationMetrics.BalancedAccuracy(classes), ClassificationMetrics.MacroF1(classes));

        double balanced = Enumerable.Range(0, classes).Where(c => y.Contains(c))
            .Average(c => (double)Enumerable.Range(0, n).Count(i => y[i] == c && predicted[i] == c) / y.Count(v => v == c));
        var f1s = new List<double>();
        for (int c = 0; c < classes; c++)
        {
            int tp = Enumerable.Range(0, n).Count(i => y[i] == c && predicted[i] == c);
            int fp = Enumerable.Range(0, n).Count(i => y[i] != c && predicted[i] == c);
            int fn = Enumerable.Range(0, n).Count(i => y[i] == c && predicted[i] != c);
            if (2 * tp + fp + fn > 0) f1s.Add(2.0 * tp / (2 * tp + fp + fn));
        }
        Assert.Equal(balanced, stats.Metrics["balanced_accuracy"], 1e-9);
        Assert.Equal(f1s.Average(), stats.Metrics["macro_f1"], 1e-9);
        Assert.Equal(Enumerable.Range(0, n).Count(i => y[i] == predicted[i]) / (double)n, stats.Metrics["accuracy"], 1e-6);
        Assert.NotEqual(Math.Round(balanced, 6), Math.Round(stats.Metrics["accuracy"], 6));
    }

    [Fact]
    public void RegressionLossesFlattenAOneOutputModel()
    {
        using var p = tensor(new float[] { 1, 2, 3 }).reshape(3, 1);
        using var t = tensor(new float[] { 2, 2, 5 });
        Assert.Equal((1 + 0 + 4) / 3.0, RegressionLosses.Mse(p, t).item<float>(), 1e-6);
        Assert.Equal((1 + 0 + 2) / 3.0, RegressionLosses.L1(p, t).item<float>(), 1e-6);
        using var wrong = zeros(3, 2);
        Assert.Throws<ArgumentException>(() => RegressionLosses.Mse(wrong, t));
    }
}
