using Trainwright.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Metrics;

/// <summary>
/// Metrics of classification models. Accuracy is a plain mean over rows; balanced accuracy and macro F1 are not
/// batch-averageable, so they are accumulating metrics (<see cref="Metric.Accumulating"/>): each batch contributes
/// per-class counts as fractions of the batch, which <see cref="Callbacks.AvgStats"/> weights by batch size into
/// fractions of the whole pass, and the metric is computed from those when the pass ends.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>Fraction of rows whose highest score is the target class, as a <see cref="Metric"/>.</summary>
    public static Metric Accuracy { get; } = new("accuracy", AccuracyOf) { RowMean = true };

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
        using var _ = no_grad();
        // Four native calls: the arg-max indices turn into hits in place, their integer count divided by the rows is a
        // float32 (true division). This runs on every batch, where each call costs microseconds; summing straight to
        // float32 measured slower than this integer sum.
        using var hits = pred.argmax(-1);
        using var count = hits.eq_(target).sum();
        return count.div(pred.size(0));
    }

    /// <summary>
    /// Balanced accuracy, <c>balanced_accuracy</c>: the mean over classes present in the targets of the recall
    /// (correct / rows of that class). Predictions are the arg-max of [n, <paramref name="classes"/>] scores.
    /// </summary>
    public static Metric BalancedAccuracy(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        // Statistics: for each class c, [fraction of rows with target c and correct, fraction of rows with target c].
        return Metric.Accumulating("balanced_accuracy", 2 * classes, (pred, target) =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var (tp, _, fn) = Counts(pred, target, classes);
            return cat([tp, tp + fn]).div_(target.size(0)).MoveToOuterDisposeScope();
        }, s =>
        {
            double sum = 0;
            int present = 0;
            for (int c = 0; c < classes; c++)
                if (s[classes + c] > 0) { sum += s[c] / s[classes + c]; present++; }
            return present == 0 ? double.NaN : sum / present;
        }, rowMean: true);
    }

    /// <summary>
    /// Macro F1, <c>macro_f1</c>: the unweighted mean over classes of F1 = 2·TP / (2·TP + FP + FN), over the classes
    /// that occur in the targets or the predictions (a class never seen nor predicted has no F1).
    /// </summary>
    public static Metric MacroF1(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        // Statistics: TP, FP, FN per class, as fractions of the batch.
        return Metric.Accumulating("macro_f1", 3 * classes, (pred, target) =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var (tp, fp, fn) = Counts(pred, target, classes);
            return cat([tp, fp, fn]).div_(target.size(0)).MoveToOuterDisposeScope();
        }, s =>
        {
            double sum = 0;
            int present = 0;
            for (int c = 0; c < classes; c++)
            {
                double denominator = 2 * s[c] + s[classes + c] + s[2 * classes + c];
                if (denominator > 0) { sum += 2 * s[c] / denominator; present++; }
            }
            return present == 0 ? double.NaN : sum / present;
        }, rowMean: true);
    }

    /// <summary>True positives, false positives and false negatives per class, as float64 counts.</summary>
    private static (Tensor Tp, Tensor Fp, Tensor Fn) Counts(Tensor pred, Tensor target, int classes)
    {
        LossFunctions.CheckRowsAndTargets(pred, target, nameof(pred), nameof(target));
        if (pred.shape[1] != classes)
            throw new ArgumentException($"The metric was made for {classes} classes but the predictions have {pred.shape[1]} columns.", nameof(pred));
        var predicted = pred.argmax(-1);
        var t = target.to_type(ScalarType.Int64);
        var correct = (predicted == t).to_type(ScalarType.Float64);
        var tp = zeros(classes, dtype: ScalarType.Float64, device: pred.device).index_add_(0, t, correct, 1.0);
        var perTarget = bincount(t, minlength: classes).to_type(ScalarType.Float64);
        var perPredicted = bincount(predicted, minlength: classes).to_type(ScalarType.Float64);
        return (tp, perPredicted - tp, perTarget - tp);
    }
}
