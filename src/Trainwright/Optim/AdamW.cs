using TorchSharp.Modules;

namespace Trainwright.Optim;

/// <summary>
/// Adam with decoupled weight decay (p ← p·(1 − lr·wd) before the Adam update), the same update as
/// torch.optim.AdamW (amsgrad off). Same hyperparameters as <see cref="Adam"/>.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>torch.optim.AdamW's default weight decay.</summary>
    public const double DefaultWd = 0.01;

    /// <summary>AdamW over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate (≥ 0).</param>
    /// <param name="mom">β₁ in [0, 1).</param>
    /// <param name="sqrMom">β₂ in [0, 1).</param>
    /// <param name="eps">Added to the denominator (&gt; 0).</param>
    /// <param name="wd">Decoupled weight decay (≥ 0).</param>
    public AdamW(IEnumerable<Parameter> parameters, double lr, double mom = DefaultMom, double sqrMom = DefaultSqrMom,
        double eps = DefaultEps, double wd = DefaultWd)
        : this([parameters ?? throw new ArgumentNullException(nameof(parameters))], lr, mom, sqrMom, eps, wd)
    {
    }

    /// <summary>AdamW over several groups that start with the same hyperparameters.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="lr">Learning rate (≥ 0).</param>
    /// <param name="mom">β₁ in [0, 1).</param>
    /// <param name="sqrMom">β₂ in [0, 1).</param>
    /// <param name="eps">Added to the denominator (&gt; 0).</param>
    /// <param name="wd">Decoupled weight decay (≥ 0).</param>
    public AdamW(IEnumerable<IEnumerable<Parameter>> groups, double lr, double mom = DefaultMom, double sqrMom = DefaultSqrMom,
        double eps = DefaultEps, double wd = DefaultWd)
        : base(MakeGroups(groups, lr, mom, sqrMom, eps, wd), WeightDecayMode.Decoupled)
    {
    }

    /// <summary>AdamW over groups built by the caller; each must declare lr, mom, sqr_mom, eps and wd.</summary>
    /// <param name="groups">The groups with their hyperparameters.</param>
    public AdamW(IEnumerable<ParamGroup> groups) : base(groups, WeightDecayMode.Decoupled)
    {
    }

    /// <summary>A factory for a Learner: AdamW over the groups it passes, at the learning rate it passes.</summary>
    /// <param name="mom">β₁ in [0, 1).</param>
    /// <param name="sqrMom">β₂ in [0, 1).</param>
    /// <param name="eps">Added to the denominator (&gt; 0).</param>
    /// <param name="wd">Decoupled weight decay (≥ 0).</param>
    public static new OptimizerFactory Factory(double mom = DefaultMom, double sqrMom = DefaultSqrMom, double eps = DefaultEps, double wd = DefaultWd)
    {
        Validate(0, mom, sqrMom, eps, wd);
        return (groups, lr) => new AdamW(groups, lr, mom, sqrMom, eps, wd);
    }
}
