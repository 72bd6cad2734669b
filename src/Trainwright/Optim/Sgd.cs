using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Trainwright.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum (dampening 0, like torch.optim.SGD), Nesterov momentum,
/// and weight decay either as L2 (through the momentum, like torch.optim.SGD's <c>weight_decay</c>) or decoupled
/// (p ← p − lr·wd·p). Hyperparameters: <see cref="Hyper.Lr"/>, <see cref="Hyper.Mom"/>, <see cref="Hyper.Wd"/>.
/// </summary>
public sealed class Sgd : StatefulOptimizer
{
    private static readonly string[] Required = [Hyper.Lr, Hyper.Mom, Hyper.Wd];

    private const int CMom = 0, CWd = 1, CDecay = 2, CNegLr = 3, CNegLrMom = 4;

    /// <summary>SGD over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update, e.g. <c>model.parameters()</c>.</param>
    /// <param name="lr">Learning rate (≥ 0).</param>
    /// <param name="mom">Momentum in [0, 1); 0 for plain SGD.</param>
    /// <param name="wd">Weight decay (≥ 0).</param>
    /// <param name="decay">How <paramref name="wd"/> is applied.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs <paramref name="mom"/> &gt; 0).</param>
    public Sgd(IEnumerable<Parameter> parameters, double lr, double mom = 0, double wd = 0,
        WeightDecayMode decay = WeightDecayMode.L2, bool nesterov = false)
        : this([parameters ?? throw new ArgumentNullException(nameof(parameters))], lr, mom, wd, decay, nesterov)
    {
    }

    /// <summary>SGD over several groups that start with the same hyperparameters (change them per group later).</summary>
    /// <param name="groups">The parameter groups, e.g. body and head.</param>
    /// <param name="lr">Learning rate (≥ 0).</param>
    /// <param name="mom">Momentum in [0, 1); 0 for plain SGD.</param>
    /// <param name="wd">Weight decay (≥ 0).</param>
    /// <param name="decay">How <paramref name="wd"/> is applied.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs <paramref name="mom"/> &gt; 0).</param>
    public Sgd(IEnumerable<IEnumerable<Parameter>> groups, double lr, double mom = 0, double wd = 0,
        WeightDecayMode decay = WeightDecayMode.L2, bool nesterov = false)
        : this(MakeGroups(groups, lr, mom, wd, nesterov), decay, nesterov)
    {
    }

    /// <summary>SGD over groups built by the caller; each must declare lr, mom and wd.</summary>
    /// <param name="groups">The groups with their hyperparameters.</param>
    /// <param name="decay">How each group's wd is applied.</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    public Sgd(IEnumerable<ParamGroup> groups, WeightDecayMode decay = WeightDecayMode.L2, bool nesterov = false)
        : base(groups, Required, ["momentum_buffer"], 5)
    {
        Decay = decay;
        Nesterov = nesterov;
    }

    /// <summary>How weight decay is applied.</summary>
    public WeightDecayMode Decay { get; }

    /// <summary>Whether the update uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>A factory for a Learner: SGD over the groups it passes, at the learning rate it passes.</summary>
    /// <param name="mom">Momentum in [0, 1).</param>
    /// <param name="wd">Weight decay (≥ 0).</param>
    /// <param name="decay">How <paramref name="wd"/> is applied.</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    public static OptimizerFactory Factory(double mom = 0, double wd = 0, WeightDecayMode decay = WeightDecayMode.L2, bool nesterov = false)
    {
        Validate(0, mom, wd, nesterov);
        return (groups, lr) => new Sgd(groups, lr, mom, wd, decay, nesterov);
    }

    /// <inheritdoc />
    protected override bool UpdateGroup(int groupIndex, ParamGroup group, ParameterState[] groupStates)
    {
        double lr = group[Hyper.Lr], mom = group[Hyper.Mom], wd = group[Hyper.Wd];
        var c = Constants(groupIndex);
        if (mom != 0 && !Nesterov && Contiguous(groupIndex, group, groupStates) is { } whole)
        {
            // The update below, once for the whole group.
            whole.State.mul_(c[CMom].Of(mom)).add_(whole.Grads);
            if (wd != 0 && Decay == WeightDecayMode.L2) whole.State.add_(whole.Values, c[CWd].Of(wd));
            if (wd != 0 && Decay == WeightDecayMode.Decoupled) whole.Values.mul_(c[CDecay].Of(1 - lr * wd));
            whole.Values.add_(whole.State, c[CNegLr].Of(-lr));
            return true;
        }
        var parameters = group.Parameters;
        bool any = false;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            using var grad = p.grad;
            if (grad is null) continue;
            any = true;

            if (mom == 0)
            {
                // Without momentum L2 and decoupled decay are the same update: p − lr·(g + wd·p) = (1 − lr·wd)·p − lr·g.
                if (wd != 0) p.mul_(c[CDecay].Of(1 - lr * wd));
                p.add_(grad, c[CNegLr].Of(-lr));
                continue;
            }

            // buf ← mom·buf + g (+ wd·p for L2). A zero-initialised buffer gives buf = g on the first step, as torch's clone does.
            var buf = groupStates[i].Buffer(0, p);
            buf.mul_(c[CMom].Of(mom)).add_(grad);
            if (wd != 0 && Decay == WeightDecayMode.L2) buf.add_(p, c[CWd].Of(wd));

            if (Nesterov)
            {
                // p ← p − lr·(g + wd·p + mom·buf) for L2, the same with the wd term decoupled: identical algebra.
                if (wd != 0) p.mul_(c[CDecay].Of(1 - lr * wd));
                p.add_(grad, c[CNegLr].Of(-lr)).add_(buf, c[CNegLrMom].Of(-lr * mom));
            }
            else
            {
                if (wd != 0 && Decay == WeightDecayMode.Decoupled) p.mul_(c[CDecay].Of(1 - lr * wd));
                p.add_(buf, c[CNegLr].Of(-lr));
            }
        }
        return any;
    }

    /// <inheritdoc />
    /// <remarks>A group laid out contiguously has its gradients reset with one call.</remarks>
    public override void ZeroGrad()
    {
        if (contiguous is null || !Array.TrueForAll(contiguous, w => w is not null))
        {
            base.ZeroGrad();
            return;
        }
        for (int g = 0; g < Groups.Count; g++)
        {
            if (!contiguous[g]!.Holds(Groups[g].Parameters, StatesOf(g), gradientsOnly: true))
            {
                base.ZeroGrad();
                return;
            }
        }
        foreach (var whole in contiguous) whole!.Grads.zero_();
    }

    // A layout that keeps breaking (something replaces parameters or gradients every step) is given up after a few tries.
    private const int MaxLayouts = 3;
    private ContiguousGroup?[]? contiguous;
    private int[]? layouts;

    /// <summary>The group laid out contiguously (see <see cref="ContiguousGroup"/>), or null to update it parameter by parameter.</summary>
    private ContiguousGroup? Contiguous(int g, ParamGroup group, ParameterState[] states)
    {
        contiguous ??= new ContiguousGroup?[Groups.Count];
        layouts ??= new int[Groups.Count];
        if (contiguous[g] is { } whole)
        {
            if (whole.Holds(group.Parameters, states)) return whole;
            whole.Dispose();
            contiguous[g] = null;
        }
        if (layouts[g] >= MaxLayouts) return null;
        layouts[g]++;
        return contiguous[g] = ContiguousGroup.TryCreate(group.Parameters, states, bufferIndex: 0);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && contiguous is not null)
            foreach (var whole in contiguous) whole?.Dispose();
        contiguous = null;
        base.Dispose(disposing);
    }

    private static ParamGroup[] MakeGroups(IEnumerable<IEnumerable<Parameter>> groups, double lr, double mom, double wd, bool nesterov)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Validate(lr, mom, wd, nesterov);
        return HyperChecks.Groups(groups, new() { [Hyper.Lr] = lr, [Hyper.Mom] = mom, [Hyper.Wd] = wd });
    }

    private static void Validate(double lr, double mom, double wd, bool nesterov)
    {
        HyperChecks.Lr(lr);
        HyperChecks.UnitInterval(mom, nameof(mom), "Momentum");
        HyperChecks.Wd(wd);
        if (nesterov && mom == 0) throw new ArgumentException("Nesterov momentum needs a momentum > 0.", nameof(nesterov));
    }
}
