using TorchSharp;
using TorchSharp.Modules;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>Our <see cref="Sgd"/>.Step against torch.optim.SGD.step with momentum 0.9 and weight decay.</summary>
public static class SgdBench
{
    private const double Goal = 1.1;
    private const double Lr = 1e-3, Mom = 0.9, Wd = 1e-4;

    /// <summary>Times both on the MLP 784-50-10 and on a 4.2M-parameter model (Linear 2048×2048).</summary>
    public static IEnumerable<Comparison> Run()
    {
        yield return Measure("MLP 784-50-10", () => nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10)), steps: 2000);
        yield return Measure("Linear 2048×2048 (4.2M params)", () => nn.Sequential(nn.Linear(2048, 2048)), steps: 50);
        yield return Measure("Linear 2048×2048 (4.2M params), decoupled wd", () => nn.Sequential(nn.Linear(2048, 2048)), steps: 50,
            decay: WeightDecayMode.Decoupled);
    }

    private static Comparison Measure(string name, Func<Sequential> build, int steps, WeightDecayMode decay = WeightDecayMode.L2)
    {
        manual_seed(1);
        using var a = build();
        manual_seed(1);
        using var b = build();
        FakeGradients(a);
        FakeGradients(b);
        using var ours = new Sgd(a.parameters(), Lr, Mom, Wd, decay);
        bool l2 = decay == WeightDecayMode.L2;
        using var theirs = torch.optim.SGD(b.parameters(), Lr, momentum: Mom, weight_decay: l2 ? Wd : 0);
        var bParams = b.parameters().ToArray();
        // torch.optim.SGD has no decoupled decay: the baseline is what a user would write, p.mul_(1 − lr·wd) then step().
        void TheirDecoupledStep()
        {
            using (no_grad())
                foreach (var p in bParams) p.mul_(1 - Lr * Wd);
            theirs.step();
        }
        var (tOurs, tTheirs) = Interleaved.Time(
            () => { for (int i = 0; i < steps; i++) ours.Step(); },
            () => { for (int i = 0; i < steps; i++) { if (l2) theirs.step(); else TheirDecoupledStep(); } },
            repetitions: 11);
        var count = a.parameters().Sum(p => p.numel());
        return new Comparison(
            $"SGD step, {name}, {count:N0} params, {steps} steps, {decay} wd",
            "Sgd.Step", l2 ? "torch.optim.SGD.step" : "p.mul_(1 − lr·wd) + torch.optim.SGD.step",
            tOurs, tTheirs, $"≤ {Goal:F2}×", Stats.Median(tOurs) / Stats.Median(tTheirs) <= Goal);
    }

    /// <summary>Fixed random gradients, so the benchmark times the optimizer alone (no forward or backward).</summary>
    private static void FakeGradients(nn.Module model)
    {
        var gen = new Generator(2);
        foreach (var p in model.parameters())
            p.grad = randn(p.shape, generator: gen).DetachFromDisposeScope();
    }
}
