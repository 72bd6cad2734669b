using Trainwright.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Metrics;

/// <summary>
/// Metrics of regression models, exact over a whole pass under <see cref="Callbacks.AvgStats"/>' batch-size weighting:
/// MAE is a mean of per-row values; RMSE and R² are not, so they accumulate the statistics they need
/// (<see cref="Metric.Accumulating"/>) and are computed from them when the pass ends.
/// </summary>
/// <remarks>
/// Each factory takes an optional <c>toOriginal</c> that maps the model's target space back to the data's units
/// (e.g. undoing target normalisation or a log transform), applied to predictions and targets alike, so the metrics
/// are reported in the units the user knows. Statistics are computed in float64.
/// </remarks>
public static class RegressionMetrics
{
    /// <summary>Mean absolute error, <c>mae</c>.</summary>
    public static Metric Mae(Func<Tensor, Tensor>? toOriginal = null) =>
        new("mae", (pred, target) =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var (p, t) = Original(pred, target, toOriginal);
            return (p - t).abs().mean().MoveToOuterDisposeScope();
        }) { RowMean = true };

    /// <summary>Root mean squared error, <c>rmse</c>: √(mean of squared errors over the pass), not a mean of batch RMSEs.</summary>
    public static Metric Rmse(Func<Tensor, Tensor>? toOriginal = null) =>
        Metric.Accumulating("rmse", 1, (pred, target) =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var (p, t) = Original(pred, target, toOriginal);
            return (p - t).square().mean().reshape(1).MoveToOuterDisposeScope();
        }, s => Math.Sqrt(s[0]), rowMean: true);

    /// <summary>
    /// Coefficient of determination, <c>r2</c>: 1 − Σ(y − ŷ)² / Σ(y − ȳ)² over the pass, from the pass means of y, y² and
    /// (y − ŷ)² (Σ(y − ȳ)² = n·(mean(y²) − mean(y)²)). NaN when the targets of the pass are all equal.
    /// </summary>
    public static Metric R2(Func<Tensor, Tensor>? toOriginal = null) =>
        Metric.Accumulating("r2", 3, (pred, target) =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var (p, t) = Original(pred, target, toOriginal);
            return stack([t.mean(), t.square().mean(), (t - p).square().mean()]).MoveToOuterDisposeScope();
        }, s =>
        {
            double variance = s[1] - s[0] * s[0];
            return variance > 0 ? 1 - s[2] / variance : double.NaN;
        }, rowMean: true);

    private static (Tensor Pred, Tensor Target) Original(Tensor pred, Tensor target, Func<Tensor, Tensor>? toOriginal)
    {
        var (p, t) = RegressionLosses.Flatten(pred, target);
        p = p.to_type(ScalarType.Float64);
        t = t.to_type(ScalarType.Float64);
        return toOriginal is null ? (p, t) : (toOriginal(p), toOriginal(t));
    }
}
