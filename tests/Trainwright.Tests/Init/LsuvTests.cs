using TorchSharp;
using TorchSharp.Modules;
using Trainwright.Diagnostics;
using Trainwright.Init;
using static TorchSharp.torch;
using Trainwright.Hooks;

namespace Trainwright.Tests.Init;

public class LsuvTests
{
    [Fact]
    public void EveryConvOutputHasUnitStdOnMnistAfterLsuv()
    {
        using var images = MnistSlice.Images(128);
        manual_seed(9);
        using var net = InitStudy.BuildConvNet();

        var results = Lsuv.Apply(net, images);

        Assert.Equal(["0", "2", "4", "6"], results.Select(r => r.Name));
        Assert.All(results, r => Assert.True(r.Converged, $"{r.Name}: mean {r.Mean}, std {r.Std} after {r.Iterations}"));
        // Independent check: run the layers one by one with forward() (no hooks) and measure each conv's output.
        var convStds = ConvOutputStats(net, images);
        Assert.Equal(4, convStds.Count);
        foreach (var (mean, std) in convStds)
        {
            Assert.InRange(std, 0.98, 1.02);
            Assert.InRange(mean, -0.02, 0.02);
        }
    }

    [Fact]
    public void LinearLayersOfAnMlpGetUnitStd()
    {
        using var g = new Generator(3);
        using var x = randn(256, 784, generator: g);
        manual_seed(3);
        using var mlp = nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10));

        var results = Lsuv.Apply(mlp, x, tolerance: 1e-4, maxIterations: 20);

        Assert.Equal(2, results.Count);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var lin1 = (Linear)mlp.named_children().First().module;
        var lin2 = (Linear)mlp.named_children().Last().module;
        var h = lin1.forward(x);
        var o = lin2.forward(nn.functional.relu(h));
        Assert.InRange(Moments.Std(h), 0.98, 1.02);
        Assert.InRange(Moments.Std(o), 0.98, 1.02);
        Assert.InRange(Moments.Mean(h), -0.02, 0.02);
        Assert.InRange(Moments.Mean(o), -0.02, 0.02);
        Assert.All(results, r => Assert.True(r.Iterations >= 1));
    }

    [Fact]
    public void LayerWithoutBiasStillGetsUnitStd()
    {
        using var g = new Generator(5);
        using var x = randn(64, 20, generator: g);
        using var layer = nn.Linear(20, 30, hasBias: false);
        var result = Assert.Single(Lsuv.Apply(layer, x));
        Assert.Equal("", result.Name);
        Assert.True(result.Converged);
        using var y = layer.forward(x);
        Assert.InRange(Moments.Std(y), 0.999, 1.001);
    }

    [Fact]
    public void StopsAtTheIterationCap()
    {
        using var g = new Generator(6);
        using var x = randn(64, 20, generator: g);
        using var layer = nn.Linear(20, 30);
        var result = Assert.Single(Lsuv.Apply(layer, x, maxIterations: 0));
        Assert.Equal(0, result.Iterations);
        Assert.False(result.Converged);
    }

    [Fact]
    public void RejectsALayerTheModelNeverCalls()
    {
        using var x = randn(4, 3);
        using var model = nn.Linear(3, 3);
        using var stranger = nn.Linear(3, 3);
        var e = Assert.Throws<ArgumentException>(() => Lsuv.Apply(model, x, [new NamedModule("stranger", stranger)]));
        Assert.Contains("stranger", e.Message, StringComparison.Ordinal);
    }

    private static List<(double Mean, double Std)> ConvOutputStats(Sequential net, Tensor images)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var stats = new List<(double, double)>();
        var x = images;
        foreach (var (_, module) in net.named_children())
        {
            x = ((nn.Module<Tensor, Tensor>)module).forward(x);
            if (module is Conv2d) stats.Add((Moments.Mean(x), Moments.Std(x)));
        }
        return stats;
    }
}
