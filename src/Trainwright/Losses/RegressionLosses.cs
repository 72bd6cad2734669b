using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Losses;

/// <summary>
/// Losses of regression models. Predictions may be [n] or [n, 1] and targets [n] or [n, 1]; both are flattened so a
/// one-output model's [n, 1] never broadcasts against [n] targets into an [n, n] matrix.
/// </summary>
public static class RegressionLosses
{
    /// <summary>Mean squared error as a <see cref="LossFunction"/>.</summary>
    public static LossFunction MseLoss { get; } = Mse;

    /// <summary>Mean absolute error as a <see cref="LossFunction"/>.</summary>
    public static LossFunction L1Loss { get; } = L1;

    /// <summary>mean((pred − target)²) over the batch.</summary>
    /// <exception cref="ArgumentException">The two do not hold one value per row each.</exception>
    public static Tensor Mse(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var (p, t) = Flatten(pred, target);
        return (p - t).square().mean().MoveToOuterDisposeScope();
    }

    /// <summary>mean(|pred − target|) over the batch.</summary>
    /// <exception cref="ArgumentException">The two do not hold one value per row each.</exception>
    public static Tensor L1(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var (p, t) = Flatten(pred, target);
        return (p - t).abs().mean().MoveToOuterDisposeScope();
    }

    /// <summary>Both as 1-d tensors of one value per row, targets in the predictions' dtype.</summary>
    internal static (Tensor Pred, Tensor Target) Flatten(Tensor pred, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(target);
        if (pred.Dimensions == 0 || target.Dimensions == 0 || pred.numel() != pred.size(0) || target.numel() != target.size(0)
            || pred.size(0) != target.size(0))
            throw new ArgumentException(
                $"Regression needs one prediction and one target per row ([n] or [n, 1]); got predictions [{string.Join(", ", pred.shape)}] and targets [{string.Join(", ", target.shape)}].");
        var p = pred.reshape(-1);
        var t = target.reshape(-1);
        if (t.dtype != p.dtype) t = t.to_type(p.dtype);
        return (p, t);
    }
}
