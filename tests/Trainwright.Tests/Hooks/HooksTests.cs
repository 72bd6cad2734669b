using TorchSharp;
using TorchSharp.Modules;
using Trainwright.Diagnostics;
using static TorchSharp.torch;
using Trainwright.Hooks;

namespace Trainwright.Tests.Hooks;

public class HooksTests
{
    private static (Sequential Model, Linear First, ReLU Relu, Linear Second) Mlp()
    {
        manual_seed(1);
        var first = nn.Linear(20, 64);
        var relu = nn.ReLU();
        var second = nn.Linear(64, 5);
        return (nn.Sequential(first, relu, second), first, relu, second);
    }

    [Fact]
    public void EachHookFiresOncePerForward()
    {
        var (model, _, _, _) = Mlp();
        using var _m = model;
        using var x = randn(8, 20);
        using var hooks = HookSet.ForStats(LayerSelection.Where(model, m => !ReferenceEquals(m, model)));
        Assert.Equal(3, hooks.Count);
        Assert.Equal(["0", "1", "2"], hooks.Select(h => h.Name));

        model.call(x).Dispose();
        Assert.All(hooks, h => Assert.Equal(1, h.Calls));
        model.call(x).Dispose();
        Assert.All(hooks, h => Assert.Equal(2, h.Records.Count));
        // forward() bypasses the module's own hooks (only call() fires them), but Sequential.forward calls its children.
        using var outer = new StatsHook(model, name: "model");
        model.forward(x).Dispose();
        Assert.Equal(0, outer.Calls);
        Assert.All(hooks, h => Assert.Equal(3, h.Calls));
        model.call(x).Dispose();
        Assert.Equal(1, outer.Calls);
    }

    [Fact]
    public void RecordedStatsMatchDirectComputation()
    {
        var (model, first, relu, second) = Mlp();
        using var _m = model;
        using var x = randn(32, 20) * 3;
        var options = new StatsOptions { NearZeroThreshold = 0.05, Histogram = new HistogramRange(20, 0, 4) };
        using var hooks = HookSet.ForStats([new NamedModule("first", first), new NamedModule("relu", relu), new NamedModule("second", second)], options);
        model.call(x).Dispose();

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var h1 = first.forward(x);
        var h2 = relu.forward(h1);
        var h3 = second.forward(h2);
        foreach (var (hook, expected) in hooks.Zip([h1, h2, h3]))
        {
            var record = Assert.Single(hook.Records);
            Assert.Equal(expected.mean().ToDouble(), record.Mean, 1e-5);
            Assert.Equal(expected.std().ToDouble(), record.Std, 1e-5);
            Assert.Equal(expected.numel(), record.Count);

            // Near-zero fraction and histogram counted by hand from the raw values.
            var values = expected.data<float>().ToArray();
            Assert.Equal(values.Count(v => Math.Abs(v) < 0.05) / (double)values.Length, record.NearZeroFraction, 12);
            var counts = new double[20];
            foreach (var v in values)
            {
                if (v < 0 || v > 4) continue;
                counts[Math.Min(19, (int)Math.Floor(v / 0.2))]++;
            }
            Assert.Equal(counts, record.Histogram);
        }
        // After a ReLU, the near-zero share is at least the share of exact zeros (about half here).
        Assert.InRange(hooks[1].Records[0].NearZeroFraction, 0.3, 0.7);
    }

    [Fact]
    public void HistogramBinsKnownValues()
    {
        using var t = tensor(new float[] { 0f, 0.1f, 0.5f, 9.99f, 10f, 11f, -1f, 5f });
        var counts = TensorStats.Histogram(t, HistogramRange.ReluDefault);
        Assert.Equal(40, counts.Length);
        Assert.Equal(2, counts[0]);   // 0 and 0.1 (bin width 0.25)
        Assert.Equal(1, counts[2]);   // 0.5
        Assert.Equal(1, counts[20]);  // 5
        Assert.Equal(2, counts[39]);  // 9.99 and the inclusive upper edge 10
        Assert.Equal(6, counts.Sum()); // 11 and -1 are outside
        Assert.Throws<ArgumentException>(() => TensorStats.Histogram(t, new HistogramRange(0, 0, 1)));
        Assert.Throws<ArgumentException>(() => TensorStats.Histogram(t, new HistogramRange(4, 1, 1)));
    }

    [Fact]
    public void DisposeRemovesTheHooks()
    {
        var (model, _, _, _) = Mlp();
        using var _m = model;
        using var x = randn(8, 20);
        var hooks = HookSet.ForStats(LayerSelection.WeightLayers(model));
        model.call(x).Dispose();
        hooks.Dispose();
        model.call(x).Dispose();
        Assert.All(hooks, h =>
        {
            Assert.True(h.IsRemoved);
            Assert.Single(h.Records);
        });
    }

    [Fact]
    public void WhatAHookCopiesSurvivesSequentialDisposingIntermediates()
    {
        var (model, first, _, _) = Mlp();
        using var _m = model;
        using var x = randn(8, 20);
        Tensor? raw = null, copy = null;
        using (new Hook(first, (_, _, output) =>
        {
            raw = output;                      // the trap: Sequential disposes this after the next layer ran
            copy = output.detach().clone();    // the fix
        }))
        {
            model.call(x).Dispose();
        }
        Assert.NotNull(raw);
        Assert.True(raw!.IsInvalid, "Sequential was expected to dispose the intermediate output");
        using var _c = copy!;
        using var expected = first.forward(x);
        Assert.True(copy!.allclose(expected));
    }

    [Fact]
    public void GradientStatsReadTheGradients()
    {
        var (model, first, _, second) = Mlp();
        using var _m = model;
        using var x = randn(16, 20);
        var layers = LayerSelection.WeightLayers(model);
        Assert.Throws<InvalidOperationException>(() => GradientStats.OfWeights(layers));

        using (var loss = model.call(x).pow(2).mean()) loss.backward();
        var stats = GradientStats.OfWeights(layers);
        Assert.Equal(["0.weight", "2.weight"], stats.Select(s => s.Name));
        Assert.Equal(first.weight.grad!.mean().ToDouble(), stats[0].Mean, 1e-7);
        Assert.Equal(first.weight.grad!.std().ToDouble(), stats[0].Std, 1e-7);
        Assert.Equal(second.weight.grad!.std().ToDouble(), stats[1].Std, 1e-7);
    }

    [Fact]
    public void LayerSelectionWalksNestedModelsInForwardOrder()
    {
        using var model = nn.Sequential(
            ("stem", nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())),
            ("body", nn.Sequential(nn.Conv2d(4, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3))),
            ("head", nn.Sequential(nn.Flatten(), nn.Linear(8, 2))));
        Assert.Equal(["stem.0", "body.0", "body.2", "head.1"], LayerSelection.WeightLayers(model).Select(m => m.Name));
        Assert.Equal(["stem.0", "body.0", "body.2"], LayerSelection.Conv2dLayers(model).Select(m => m.Name));
    }
}
