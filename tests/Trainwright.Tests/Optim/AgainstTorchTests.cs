using TorchSharp;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Tests.Optim;

/// <summary>
/// Twenty steps of our optimizers against torch.optim's on identical copies of a small model: parameters must agree
/// to 1e-6 (the two implementations order a few float operations differently, so exact equality is not expected).
/// </summary>
public class AgainstTorchTests
{
    private const int Steps = 20;
    private const double Tol = 1e-6;

    private static void Compare(Func<TinyProblem, Optimizer> ours, Func<TinyProblem, torch.optim.Optimizer> theirs,
        Action<TinyProblem>? beforeTheirStep = null)
    {
        using var a = new TinyProblem();
        using var b = new TinyProblem();
        Assert.True(TinyProblem.BitEqual(a.Snapshot(), b.Snapshot()));
        var start = a.Snapshot();

        using var ourOpt = ours(a);
        a.Train(Steps, ourOpt.ZeroGrad, ourOpt.Step);

        using var theirOpt = theirs(b);
        b.Train(Steps, theirOpt.zero_grad, () =>
        {
            beforeTheirStep?.Invoke(b);
            theirOpt.step();
        });

        var diff = TinyProblem.MaxDifference(a.Snapshot(), b.Snapshot());
        Assert.True(diff <= Tol, $"parameters differ from torch's by {diff:G3}");
        // The comparison means something only if training moved the parameters well beyond the tolerance.
        Assert.True(TinyProblem.MaxDifference(start, a.Snapshot()) > 1e-2);
    }

    [Fact]
    public void PlainSgdMatchesTorch() =>
        Compare(p => new Sgd(p.Parameters, lr: 0.1), p => torch.optim.SGD(p.Parameters, 0.1));

    [Fact]
    public void PlainSgdWithWeightDecayMatchesTorch() =>
        Compare(p => new Sgd(p.Parameters, lr: 0.1, wd: 0.05), p => torch.optim.SGD(p.Parameters, 0.1, weight_decay: 0.05));

    [Fact]
    public void SgdMomentumWithL2WeightDecayMatchesTorch() =>
        Compare(p => new Sgd(p.Parameters, lr: 0.1, mom: 0.9, wd: 0.05),
            p => torch.optim.SGD(p.Parameters, 0.1, momentum: 0.9, weight_decay: 0.05));

    [Fact]
    public void SgdNesterovWithL2WeightDecayMatchesTorch() =>
        Compare(p => new Sgd(p.Parameters, lr: 0.1, mom: 0.9, wd: 0.05, nesterov: true),
            p => torch.optim.SGD(p.Parameters, 0.1, momentum: 0.9, weight_decay: 0.05, nesterov: true));

    [Fact]
    public void SgdDecoupledWeightDecayMatchesTorchWithManualDecay()
    {
        const double lr = 0.1, wd = 0.05;
        // Decoupled decay is p ← p·(1 − lr·wd) beside the momentum step on the undecayed gradient: apply it by hand
        // before torch's plain momentum step (the gradient was already computed, so the order does not matter).
        Compare(p => new Sgd(p.Parameters, lr, mom: 0.9, wd: wd, decay: WeightDecayMode.Decoupled),
            p => torch.optim.SGD(p.Parameters, lr, momentum: 0.9),
            p =>
            {
                using var _ = no_grad();
                foreach (var param in p.Parameters) param.mul_(1 - lr * wd);
            });
    }

    [Fact]
    public void SgdDecoupledDiffersFromL2WithMomentum()
    {
        using var a = new TinyProblem();
        using var b = new TinyProblem();
        using var l2 = new Sgd(a.Parameters, 0.1, mom: 0.9, wd: 0.05);
        using var dec = new Sgd(b.Parameters, 0.1, mom: 0.9, wd: 0.05, decay: WeightDecayMode.Decoupled);
        a.Train(Steps, l2.ZeroGrad, l2.Step);
        b.Train(Steps, dec.ZeroGrad, dec.Step);
        Assert.True(TinyProblem.MaxDifference(a.Snapshot(), b.Snapshot()) > 1e-4);
    }

    [Fact]
    public void AdamWithL2WeightDecayMatchesTorch() =>
        Compare(p => new Adam(p.Parameters, lr: 0.01, mom: 0.9, sqrMom: 0.999, eps: 1e-8, wd: 0.05),
            p => torch.optim.Adam(p.Parameters, 0.01, 0.9, 0.999, 1e-8, weight_decay: 0.05));

    [Fact]
    public void AdamWithFastaiDefaultsMatchesTorch() =>
        Compare(p => new Adam(p.Parameters, lr: 0.01),
            p => torch.optim.Adam(p.Parameters, 0.01, Adam.DefaultMom, Adam.DefaultSqrMom, Adam.DefaultEps));

    [Fact]
    public void AdamWMatchesTorch() =>
        Compare(p => AdamW.Create(p.Parameters, lr: 0.01, mom: 0.9, sqrMom: 0.999, eps: 1e-8, wd: 0.1),
            p => torch.optim.AdamW(p.Parameters, 0.01, 0.9, 0.999, 1e-8, weight_decay: 0.1));

    [Fact]
    public void FactoriesBuildTheSameOptimizers()
    {
        using var p = new TinyProblem();
        IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>> groups = [p.Parameters[..2], p.Parameters[2..]];
        using var sgd = Assert.IsType<Sgd>(Sgd.Factory(mom: 0.8, wd: 0.01, decay: WeightDecayMode.Decoupled)(groups, 0.3));
        Assert.Equal(2, sgd.Groups.Count);
        Assert.Equal(WeightDecayMode.Decoupled, sgd.Decay);
        Assert.All(sgd.Groups, g => Assert.Equal((0.3, 0.8, 0.01), (g[Hyper.Lr], g[Hyper.Mom], g[Hyper.Wd])));
        using var adam = Assert.IsType<Adam>(Adam.Factory(sqrMom: 0.95)(groups, 1e-3));
        Assert.Equal(0.95, adam.Groups[1][Hyper.SqrMom]);
        Assert.Equal(WeightDecayMode.L2, adam.Decay);
        using var adamW = Assert.IsType<Adam>(AdamW.Factory()(groups, 1e-3));
        Assert.Equal(AdamW.DefaultWd, adamW.Groups[0][Hyper.Wd]);
        Assert.Equal(WeightDecayMode.Decoupled, adamW.Decay);
    }
}
