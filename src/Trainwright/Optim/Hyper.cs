namespace Trainwright.Optim;

/// <summary>Names of the hyperparameters our optimizers declare (fastai's names).</summary>
public static class Hyper
{
    /// <summary>Learning rate.</summary>
    public const string Lr = "lr";
    /// <summary>Momentum (SGD) or the first-moment decay β₁ (Adam).</summary>
    public const string Mom = "mom";
    /// <summary>The second-moment decay β₂ (Adam).</summary>
    public const string SqrMom = "sqr_mom";
    /// <summary>Added to the denominator for numerical stability (Adam).</summary>
    public const string Eps = "eps";
    /// <summary>Weight decay.</summary>
    public const string Wd = "wd";
}
