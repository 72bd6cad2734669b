using Trainwright.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Metrics;

/// <summary>Metrics of classification models.</summary>
public static class ClassificationMetrics
{
    /// <summary>Fraction of rows whose highest score is the target class, as a <see cref="Metric"/>.</summary>
    public static Metric Accuracy { get; } = new("accuracy", AccuracyOf);

    /// <summary>
    /// Fraction of rows of <paramref name="pred"/> (shape [n, c]) whose arg-max equals <paramref name="target"/>
    /// (shape [n]), as a 0-d float32 tensor. Not differentiable (it is a metric, not a loss).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not describe n rows of scores and n class indices.</exception>
    public static Tensor AccuracyOf(Tensor pred, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(target);
        LossFunctions.CheckRowsAndTargets(pred, target, nameof(pred), nameof(target));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return (pred.argmax(-1) == target).to_type(ScalarType.Float32).mean().MoveToOuterDisposeScope();
    }
}
