using TorchSharp;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Tests.Optim;

public class HyperparameterTests
{
    private static float[][] Gradients(TinyProblem p) =>
        p.Parameters.Select(q => q.grad!.detach().clone().data<float>().ToArray()).ToArray();

    [Fact]
    public void ChangingLrThroughTheIndexerChangesTheStep()
    {
        using var p = new TinyProblem();
        using var opt = new Sgd(p.Parameters, lr: 0.1);
        opt.ZeroGrad();
        p.Backward();
        var before = p.Snapshot();
        var grads = Gradients(p);

        opt.Groups[0][Hyper.Lr] = 0.5;
        Assert.Equal(0.5, opt.Groups[0][Hyper.Lr]);
        opt.Step();

        // Plain SGD: p ← p − lr·g with the new lr.
        var after = p.Snapshot();
        var expected = before.Select((w, i) => w.Select((v, j) => v - 0.5f * grads[i][j]).ToArray()).ToArray();
        Assert.True(TinyProblem.MaxDifference(expected, after) <= 1e-7);

        opt.Groups[0][Hyper.Lr] = 0;
        opt.Step();
        Assert.True(TinyProblem.BitEqual(after, p.Snapshot()));
    }

    [Fact]
    public void TwoGroupsWithDifferentLrMatchTorchParamGroups()
    {
        using var a = new TinyProblem();
        using var b = new TinyProblem();
        var pa = a.Parameters;
        var pb = b.Parameters;
        using var ours = new Sgd([pa[..2], pa[2..]], lr: 0.1, mom: 0.9, wd: 0.01);
        ours.Groups[1][Hyper.Lr] = 0.01;
        using var theirs = torch.optim.SGD(
            [
                new TorchSharp.Modules.SGD.ParamGroup(pb[..2], lr: 0.1, momentum: 0.9, weight_decay: 0.01),
                new TorchSharp.Modules.SGD.ParamGroup(pb[2..], lr: 0.01, momentum: 0.9, weight_decay: 0.01),
            ], 0.1);
        a.Train(20, ours.ZeroGrad, ours.Step);
        b.Train(20, theirs.zero_grad, () => theirs.step());
        Assert.True(TinyProblem.MaxDifference(a.Snapshot(), b.Snapshot()) <= 1e-6);

        // And the second group's lr really mattered: with one lr for both, the result is different.
        using var c = new TinyProblem();
        using var single = new Sgd(c.Parameters, lr: 0.1, mom: 0.9, wd: 0.01);
        c.Train(20, single.ZeroGrad, single.Step);
        Assert.True(TinyProblem.MaxDifference(a.Snapshot(), c.Snapshot()) > 1e-3);
    }

    [Fact]
    public void UnknownOrNonFiniteHyperparametersAreRejected()
    {
        using var p = new TinyProblem();
        using var opt = new Sgd(p.Parameters, lr: 0.1);
        var ex = Assert.Throws<KeyNotFoundException>(() => opt.Groups[0][Hyper.SqrMom] = 0.9);
        Assert.Contains("sqr_mom", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.Groups[0][Hyper.Lr] = double.NaN);
        Assert.Equal([Hyper.Lr, Hyper.Mom, Hyper.Wd], opt.Groups[0].Hypers.Keys.Order());
        using var adam = new Adam(p.Parameters, lr: 0.1);
        Assert.True(adam.Groups[0].Has(Hyper.SqrMom) && adam.Groups[0].Has(Hyper.Eps));
    }

    [Fact]
    public void BadConstructorArgumentsAreRejected()
    {
        using var p = new TinyProblem();
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(p.Parameters, lr: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(p.Parameters, lr: 0.1, mom: 1));
        Assert.Throws<ArgumentException>(() => new Sgd(p.Parameters, lr: 0.1, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(p.Parameters, lr: 0.1, eps: 0));
        var dup = Assert.Throws<ArgumentException>(() => new Sgd([p.Parameters, p.Parameters[..1]], lr: 0.1));
        Assert.Contains("appears twice", dup.Message);
        var missing = Assert.Throws<ArgumentException>(() =>
            new Adam([new ParamGroup(p.Parameters, new Dictionary<string, double> { [Hyper.Lr] = 0.1 })]));
        Assert.Contains("mom", missing.Message);
    }

    [Fact]
    public void StepWithoutAnyGradientFailsClearly()
    {
        using var p = new TinyProblem();
        using var opt = new Sgd(p.Parameters, lr: 0.1);
        var ex = Assert.Throws<InvalidOperationException>(opt.Step);
        Assert.Contains("backward()", ex.Message);

        // Parameters the model no longer uses (as after module.to(device)) never receive gradients either.
        using var replaced = new TinyProblem();
        using var stale = new Sgd(replaced.Parameters.Select(q => new TorchSharp.Modules.Parameter(q.detach().clone())), lr: 0.1);
        replaced.Backward();
        Assert.Throws<InvalidOperationException>(stale.Step);
    }

    [Fact]
    public void FrozenParametersAreSkippedWithoutError()
    {
        using var p = new TinyProblem();
        var parameters = p.Parameters;
        foreach (var q in parameters[..2]) q.requires_grad = false;
        using var opt = new Sgd(parameters, lr: 0.1, mom: 0.9);
        var frozen = parameters[0].detach().clone();
        p.Train(3, opt.ZeroGrad, opt.Step);
        Assert.True(frozen.allclose(parameters[0], 0, 0));
        Assert.Null(opt.StateOf(0, 0).Buffers[0]);
        Assert.NotNull(opt.StateOf(0, 2).Buffers[0]);
    }
}
