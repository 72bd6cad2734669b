using TorchSharp.Modules;

namespace Trainwright.Optim;

/// <summary>
/// AdamW, the same update as torch.optim.AdamW (amsgrad off): an <see cref="Adam"/> with decoupled weight decay
/// (p ← p·(1 − lr·wd) before the Adam update) and torch's default wd of 0.01. A preset, not another optimizer.
/// </summary>
public static class AdamW
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
    public static Adam Create(IEnumerable<Parameter> parameters, double lr, double mom = Adam.DefaultMom, double sqrMom = Adam.DefaultSqrMom,
        double eps = Adam.DefaultEps, double wd = DefaultWd) =>
        new(parameters, lr, mom, sqrMom, eps, wd, WeightDecayMode.Decoupled);

    /// <summary>A factory for a Learner: AdamW over the groups it passes, at the learning rate it passes.</summary>
    /// <param name="mom">β₁ in [0, 1).</param>
    /// <param name="sqrMom">β₂ in [0, 1).</param>
    /// <param name="eps">Added to the denominator (&gt; 0).</param>
    /// <param name="wd">Decoupled weight decay (≥ 0).</param>
    public static OptimizerFactory Factory(double mom = Adam.DefaultMom, double sqrMom = Adam.DefaultSqrMom, double eps = Adam.DefaultEps,
        double wd = DefaultWd) =>
        Adam.Factory(mom, sqrMom, eps, wd, WeightDecayMode.Decoupled);
}
