using TorchSharp;
using TorchSharp.Modules;
using Trainwright.Diagnostics;
using Trainwright.Learning;
using Trainwright.Tests.Data;
using Trainwright.Tests.Support;
using static TorchSharp.torch;
using Trainwright.Hooks;

namespace Trainwright.Tests.Diagnostics;

public class ActivationStatsTests
{
    /// <summary>Before each training batch, runs the hooked layers by hand (forward, so no hook fires) on the batch with the
    /// weights the learner is about to use, and keeps the raw outputs' values as plain floats.</summary>
    private sealed class HandForward(Linear first, ReLU relu) : Callback
    {
        public List<(float[] Linear, float[] Relu)> Outputs { get; } = [];

        public override void BeforeBatch()
        {
            if (!Learner.Training) return;
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var h1 = first.forward(Learner.Xb);
            var h2 = relu.forward(h1);
            Outputs.Add((h1.data<float>().ToArray(), h2.data<float>().ToArray()));
        }
    }

    private sealed class FailAtBatch(int at) : Callback
    {
        public override void AfterBatch()
        {
            if (Learner.Training && Learner.TrainIter == at) throw new InvalidOperationException("boom");
        }
    }

    private static (Linear First, ReLU Relu) Layers(nn.Module model)
    {
        var children = model.children().ToList();
        return ((Linear)children[0], (ReLU)children[1]);
    }

    private static void AssertMatches(float[] values, ForwardStats record, StatsOptions options)
    {
        // Reference computed in double from the raw values, independently of any torch reduction.
        double mean = values.Average(v => (double)v);
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        Assert.Equal(mean, record.Mean, 1e-5);
        Assert.Equal(std, record.Std, 1e-5);
        Assert.Equal(values.Length, record.Count);
        Assert.Equal(values.Count(v => Math.Abs(v) < options.NearZeroThreshold) / (double)values.Length, record.NearZeroFraction, 12);
        var range = options.Histogram!;
        var counts = new double[range.Bins];
        foreach (var v in values)
        {
            if (v < range.Min || v > range.Max) continue;
            counts[Math.Min(range.Bins - 1, (int)Math.Floor((v - range.Min) / range.BinWidth))]++;
        }
        Assert.Equal(counts, record.Histogram);
    }

    [Fact]
    public void RecordsEqualTheStatisticsOfAHandRunForward()
    {
        var learner = Tiny.Learner();
        var (first, relu) = Layers(learner.Model);
        // A range with fractional limits (the scaled path) on both layers, and the default [0, 10] (direct path) on the ReLU.
        var custom = new StatsOptions { NearZeroThreshold = 0.05, Histogram = new HistogramRange(16, -1.5, 2.5) };
        using var both = new ActivationStats([new NamedModule("0", first), new NamedModule("1", relu)], custom);
        using var byDefault = new ActivationStats();
        var probe = new HandForward(first, relu);
        learner.Fit(2, [probe, both, byDefault]);

        Assert.Equal(10, probe.Outputs.Count);
        Assert.Equal(["0 (Linear)", "1 (ReLU)"], both.Layers.Select(l => l.Name));
        var reluOnly = Assert.Single(byDefault.Layers);
        Assert.Equal("1 (ReLU)", reluOnly.Name);
        for (int b = 0; b < probe.Outputs.Count; b++)
        {
            AssertMatches(probe.Outputs[b].Linear, both.Layers[0].Records[b], custom);
            AssertMatches(probe.Outputs[b].Relu, both.Layers[1].Records[b], custom);
            AssertMatches(probe.Outputs[b].Relu, reluOnly.Records[b], StatsOptions.Default);
        }
        // The weights changed between batches, so the records are not one batch repeated.
        Assert.NotEqual(both.Layers[0].Records[0].Mean, both.Layers[0].Records[5].Mean);
    }

    [Fact]
    public void ALargeOutputIsHistogrammedFromItsFirstItemsScaledUp()
    {
        var learner = Tiny.Learner();
        var (first, relu) = Layers(learner.Model);
        // ReLU outputs are [8, 10]: a sample of 30 values keeps the first 3 whole items, scaled by 80 / 30.
        using var sampled = new ActivationStats([new NamedModule("relu", relu)], histogramSample: 30);
        var probe = new HandForward(first, relu);
        learner.Fit(1, [probe, sampled]);
        var range = StatsOptions.Default.Histogram!;
        for (int b = 0; b < probe.Outputs.Count; b++)
        {
            var values = probe.Outputs[b].Relu;
            var record = sampled.Layers[0].Records[b];
            var expected = new double[range.Bins];
            foreach (var v in values.Take(30))
                if (v >= range.Min && v <= range.Max) expected[Math.Min(range.Bins - 1, (int)Math.Floor((v - range.Min) / range.BinWidth))]++;
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i] * 80 / 30, record.Histogram[i], 9);
            // Mean and std still use every value.
            Assert.Equal(values.Average(v => (double)v), record.Mean, 1e-5);
        }
    }

    [Fact]
    public void RecordsOneEntryPerTrainingBatchAndNoneForValidation()
    {
        // 40 training items in batches of 8 (5 batches), 20 validation items in batches of 16 (2 batches), 3 epochs.
        var learner = Tiny.Learner();
        using var stats = new ActivationStats(new StatsOptions { Histogram = null });
        learner.Fit(3, [stats]);
        Assert.Equal(5, learner.ItersPerEpoch);
        var layer = Assert.Single(stats.Layers);
        Assert.Equal(15, layer.Records.Count);
        Assert.All(layer.Records, r => Assert.Equal(8 * 10, r.Count));
        Assert.All(layer.Records, r => Assert.Empty(r.Histogram));

        // A new fit starts afresh.
        learner.Fit(1, [stats]);
        Assert.Equal(5, stats.Layers[0].Records.Count);
    }

    [Fact]
    public void HooksAreRemovedAfterFitEvenWhenItFails()
    {
        var learner = Tiny.Learner();
        var (_, relu) = Layers(learner.Model);
        var stats = new ActivationStats();
        learner.Fit(1, [stats]);
        Assert.False(stats.IsHooked);
        int before = stats.Layers[0].Records.Count;
        using (var x = randn(4, 6)) learner.Model.call(x).Dispose();
        Assert.Equal(before, stats.Layers[0].Records.Count);

        var failing = new ActivationStats();
        Assert.Throws<CallbackException>(() => learner.Fit(2, [failing, new FailAtBatch(2)]));
        Assert.False(failing.IsHooked);
        Assert.Equal(2, failing.Layers[0].Records.Count);

        // Dispose removes the hooks of a fit that never reached AfterFit.
        var disposed = new ActivationStats([new NamedModule("relu", relu)]);
        learner.Add(disposed);
        learner.Fire(Event.BeforeFit);
        Assert.True(disposed.IsHooked);
        disposed.Dispose();
        Assert.False(disposed.IsHooked);
        learner.Remove(disposed);
    }

    [Fact]
    public void DefaultLayersFallBackToWeightLayersWithoutActivations()
    {
        using var withRelu = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2), nn.GELU());
        Assert.Equal(["1", "3"], ActivationStats.DefaultLayers(withRelu).Select(m => m.Name));
        using var linearOnly = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2));
        Assert.Equal(["0", "2"], ActivationStats.DefaultLayers(linearOnly).Select(m => m.Name));
    }

    [Fact]
    public void WritesThePngFigures()
    {
        var learner = Tiny.Learner();
        using var stats = new ActivationStats(LayerSelection.Where(learner.Model, m => m is Linear or ReLU));
        Assert.Throws<InvalidOperationException>(() => stats.WritePlots(Path.GetTempPath()));
        learner.Fit(2, [stats]);
        using var folder = new TempFolder();
        var written = stats.WritePlots(folder.Path);
        Assert.Equal([ActivationStats.MeansStdsFile, ActivationStats.NearZeroFile, ActivationStats.HistogramsFile],
            written.Select(Path.GetFileName));
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G'];
        foreach (var path in written)
        {
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 5_000, $"{path} is only {bytes.Length} bytes");
            Assert.Equal(signature, bytes.Take(4));
        }
        stats.PlotHistograms(folder.File("first3.png"), firstBatches: 3);
        Assert.True(File.Exists(folder.File("first3.png")));
    }
}
