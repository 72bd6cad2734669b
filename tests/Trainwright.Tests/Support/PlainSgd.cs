using Parameter = TorchSharp.Modules.Parameter;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Tests.Support;

/// <summary>p -= lr * grad: the lesson's first optimizer, so Learner tests do not depend on Optim's implementations.</summary>
internal sealed class PlainSgd(IEnumerable<IEnumerable<Parameter>> groups, double lr)
    : Optimizer(groups.Select(g => new ParamGroup(g, new Dictionary<string, double> { [Hyper.Lr] = lr, [Hyper.Mom] = 0 })))
{
    public static OptimizerFactory Factory => (groups, lr) => new PlainSgd(groups, lr);

    public override void Step()
    {
        using var _ = no_grad();
        foreach (var g in Groups)
            foreach (var p in g.Parameters)
                if (p.grad is { } grad) p.add_(grad, alpha: -g[Hyper.Lr]);
    }

    public override void SaveState(BinaryWriter writer)
    {
        foreach (var g in Groups) writer.Write(g[Hyper.Lr]);
    }

    public override void LoadState(BinaryReader reader)
    {
        foreach (var g in Groups) g[Hyper.Lr] = reader.ReadDouble();
    }
}
