using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Trainwright.Optim;

/// <summary>
/// Adam with bias correction, the same update as torch.optim.Adam (amsgrad off). Weight decay is L2 (added to the
/// gradient) as in torch.optim.Adam, or decoupled as in torch.optim.AdamW (see <see cref="AdamW"/> for that preset),
/// chosen by a <see cref="WeightDecayMode"/> as for <see cref="Sgd"/>. Hyperparameters: <see cref="Hyper.Lr"/>,
/// <see cref="Hyper.Mom"/> (β₁), <see cref="Hyper.SqrMom"/> (β₂), <see cref="Hyper.Eps"/>, <see cref="Hyper.Wd"/>.
/// Memory: two state buffers per parameter plus one reused working buffer (torch allocates that one every step).
/// </summary>
public sealed class Adam : StatefulOptimizer
{
    /// <summary>fastai's default β₁.</summary>
    public const double DefaultMom = 0.9;
    /// <summary>fastai's default β₂ (torch's is 0.999).</summary>
    public const double DefaultSqrMom = 0.99;
    /// <summary>fastai's default ε (torch's is 1e-8).</summary>
    public const double DefaultEps = 1e-5;

    private static readonly string[] Required = [Hyper.Lr, Hyper.Mom, Hyper.SqrMom, Hyper.Eps, Hyper.Wd];
    private const int ExpAvg = 0, ExpAvgSq = 1;


    private const int CMom = 0, CSqrMom = 1, COneMinusMom = 2, COneMinusSqrMom = 3, CEps = 4, CWd = 5, CDecay = 6,
        CSqrtBias2 = 7, CNegStep = 8, Count = 9;

    /// <summary>Adam over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update, e.g. <c>model.parameters()</c>.</param>
    /// <param name="lr">Learning rate (≥ 0).</param>
    /// <param name="mom">β₁, decay of the gradient's running mean, in [0, 1).</param>
    /// <param name="sqrMom">β₂, decay of the squared gradient's running mean, in [0, 1).</param>
    /// <param name="eps">Added to the denominator (&gt; 0).</param>
    /// <param name="wd">Weight decay (≥ 0).</param>
    /// <param name="decay">How <paramref name="wd"/> is applied.</param>
    public Adam(IEnumerable<Parameter> parameters, double lr, double mom = DefaultMom, double sqrMom = DefaultSqrMom,
        double eps = DefaultEps, double wd = 0, WeightDecayMode decay = WeightDecayMode.L2)
        : this([parameters ?? throw new ArgumentNullException(nameof(parameters))], lr, mom, sqrMom, eps, wd, decay)
    {
    }

    /// <summary>Adam over several groups that start with the same hyperparameters.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="lr">Learning rate (≥ 0).</param>
    /// <param name="mom">β₁ in [0, 1).</param>
    /// <param name="sqrMom">β₂ in [0, 1).</param>
    /// <param name="eps">Added to the denominator (&gt; 0).</param>
    /// <param name="wd">Weight decay (≥ 0).</param>
    /// <param name="decay">How <paramref name="wd"/> is applied.</param>
    public Adam(IEnumerable<IEnumerable<Parameter>> groups, double lr, double mom = DefaultMom, double sqrMom = DefaultSqrMom,
        double eps = DefaultEps, double wd = 0, WeightDecayMode decay = WeightDecayMode.L2)
        : this(MakeGroups(groups, lr, mom, sqrMom, eps, wd), decay)
    {
    }

    /// <summary>Adam over groups built by the caller; each must declare lr, mom, sqr_mom, eps and wd.</summary>
    /// <param name="groups">The groups with their hyperparameters.</param>
    /// <param name="decay">How each group's wd is applied.</param>
    public Adam(IEnumerable<ParamGroup> groups, WeightDecayMode decay = WeightDecayMode.L2)
        : base(groups, Required, ["exp_avg", "exp_avg_sq"], Count)
    {
        Decay = decay;
    }

    /// <summary>How weight decay is applied: L2 as torch.optim.Adam, or decoupled as torch.optim.AdamW.</summary>
    public WeightDecayMode Decay { get; }

    /// <summary>A factory for a Learner: Adam over the groups it passes, at the learning rate it passes.</summary>
    /// <param name="mom">β₁ in [0, 1).</param>
    /// <param name="sqrMom">β₂ in [0, 1).</param>
    /// <param name="eps">Added to the denominator (&gt; 0).</param>
    /// <param name="wd">Weight decay (≥ 0).</param>
    /// <param name="decay">How <paramref name="wd"/> is applied.</param>
    public static OptimizerFactory Factory(double mom = DefaultMom, double sqrMom = DefaultSqrMom, double eps = DefaultEps, double wd = 0,
        WeightDecayMode decay = WeightDecayMode.L2)
    {
        Validate(0, mom, sqrMom, eps, wd);
        return (groups, lr) => new Adam(groups, lr, mom, sqrMom, eps, wd, decay);
    }

    /// <inheritdoc />
    protected override bool UpdateGroup(int groupIndex, ParamGroup group, ParameterState[] groupStates)
    {
        double lr = group[Hyper.Lr], b1 = group[Hyper.Mom], b2 = group[Hyper.SqrMom], eps = group[Hyper.Eps], wd = group[Hyper.Wd];
        var c = Constants(groupIndex);
        bool l2 = wd != 0 && Decay == WeightDecayMode.L2;
        bool decoupled = wd != 0 && Decay == WeightDecayMode.Decoupled;
        var parameters = group.Parameters;
        bool any = false;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            using var grad = p.grad;
            if (grad is null) continue;
            any = true;

            var state = groupStates[i];
            long t = ++state.StepCount;
            double bias1 = 1 - Math.Pow(b1, t), bias2 = 1 - Math.Pow(b2, t);
            var expAvg = state.Buffer(ExpAvg, p);
            var expAvgSq = state.Buffer(ExpAvgSq, p);
            var work = state.ScratchLike(p);

            if (decoupled) p.mul_(c[CDecay].Of(1 - lr * wd));
            var g = grad;
            if (l2)
            {
                // g + wd·p in the working buffer: one rounding, as torch's grad.add(param, alpha: wd), without allocating.
                g = work.copy_(grad).add_(p, c[CWd].Of(wd));
            }
            expAvg.mul_(c[CMom].Of(b1)).add_(g, c[COneMinusMom].Of(1 - b1));
            expAvgSq.mul_(c[CSqrMom].Of(b2)).addcmul_(g, g, c[COneMinusSqrMom].Of(1 - b2));

            // denom = √v / √(1 − β₂ᵗ) + ε; p ← p − lr/(1 − β₁ᵗ) · m / denom. Same order of operations as torch.
            var denom = work.copy_(expAvgSq).sqrt_().div_(c[CSqrtBias2].Of(Math.Sqrt(bias2))).add_(c[CEps].Of(eps));
            p.addcdiv_(expAvg, denom, c[CNegStep].Of(-lr / bias1));
        }
        return any;
    }

    private static ParamGroup[] MakeGroups(IEnumerable<IEnumerable<Parameter>> groups, double lr, double mom, double sqrMom, double eps, double wd)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Validate(lr, mom, sqrMom, eps, wd);
        return HyperChecks.Groups(groups, new()
        {
            [Hyper.Lr] = lr, [Hyper.Mom] = mom, [Hyper.SqrMom] = sqrMom, [Hyper.Eps] = eps, [Hyper.Wd] = wd,
        });
    }

    private static void Validate(double lr, double mom, double sqrMom, double eps, double wd)
    {
        HyperChecks.Lr(lr);
        HyperChecks.UnitInterval(mom, nameof(mom), "β₁ (mom)");
        HyperChecks.UnitInterval(sqrMom, nameof(sqrMom), "β₂ (sqr_mom)");
        HyperChecks.Eps(eps);
        HyperChecks.Wd(wd);
    }
}
