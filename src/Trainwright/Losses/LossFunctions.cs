using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Losses;

/// <summary>
/// Cross entropy, the default for training (<see cref="CrossEntropyLoss"/>: libtorch's fused kernel), and the lesson's
/// from-scratch forms kept to read and to check against it: log-sum-exp with the max-subtraction trick, log-softmax,
/// negative log likelihood by integer-array indexing. Every function works on the last dimension of TorchSharp
/// tensors and is differentiable by autograd.
/// </summary>
public static class LossFunctions
{
    /// <summary>
    /// Cross entropy as a <see cref="LossFunction"/> for a Learner: <see cref="NativeCrossEntropy"/>, libtorch's own
    /// fused kernel, the fastest exact form (the same value and gradient as <see cref="CrossEntropy"/>).
    /// </summary>
    public static LossFunction CrossEntropyLoss { get; } = NativeCrossEntropy;

    /// <summary>
    /// Cross entropy against targets smoothed towards the uniform distribution: each row's target puts
    /// 1 − <paramref name="smoothing"/> + <paramref name="smoothing"/>/c on its class and <paramref name="smoothing"/>/c on
    /// every other class (libtorch's fused kernel). It keeps the model from growing its logits without bound, which helps
    /// short schedules generalise.
    /// </summary>
    /// <param name="smoothing">In [0, 1); 0 is plain cross entropy.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="smoothing"/> is outside [0, 1).</exception>
    public static LossFunction LabelSmoothingCrossEntropy(double smoothing)
    {
        if (!(smoothing >= 0 && smoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "Label smoothing must be in [0, 1); 0.1 is usual.");
        if (smoothing == 0) return CrossEntropyLoss;
        return (pred, target) => Native(pred, target, smoothing);
    }

    /// <summary>
    /// Cross entropy by libtorch's fused kernel (<c>torch.nn.functional.cross_entropy</c>), with this library's checks
    /// and messages. Unlike <see cref="FusedCrossEntropy"/> it reads no value back from the tensors on the way (the
    /// kernel itself checks the class range), so it never waits for a device.
    /// </summary>
    /// <param name="pred">Unnormalised scores (logits), shape [n, c].</param>
    /// <param name="target">Class indices, shape [n], integer type, each in [0, c).</param>
    /// <returns>A 0-d tensor: the mean loss over the rows.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, the targets are not integers, or a target is outside [0, c).</exception>
    public static Tensor NativeCrossEntropy(Tensor pred, Tensor target) => Native(pred, target, smoothing: 0);

    private static Tensor Native(Tensor pred, Tensor target, double smoothing)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(target);
        CheckRowsAndTargets(pred, target, nameof(pred), nameof(target));
        try
        {
            // libtorch's kernel takes int64 class indices only; int32 targets are accepted here as everywhere else.
            return target.dtype == ScalarType.Int64
                ? nn.functional.cross_entropy(pred, target, label_smoothing: smoothing)
                : nn.functional.cross_entropy(pred, target.to_type(ScalarType.Int64), label_smoothing: smoothing);
        }
        catch (System.Runtime.InteropServices.ExternalException) when (target.shape[0] > 0)
        {
            // libtorch refuses a class index outside [0, c) with its own text; say it in this library's words.
            CheckClassRange(target, pred.shape[1], nameof(target));
            throw;
        }
    }

    /// <summary>
    /// log(Σ exp(x)) over the last dimension, computed as m + log(Σ exp(x − m)) with m the row maximum so exp never
    /// overflows. A row that is entirely −∞ gives −∞ (not NaN); a row holding +∞ gives +∞.
    /// </summary>
    /// <param name="x">Scores of any shape with at least one dimension.</param>
    /// <param name="keepDim">Keep the reduced last dimension with size 1 (handy for broadcasting back over x).</param>
    /// <returns>x's shape without its last dimension (or with it as 1 when <paramref name="keepDim"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is 0-d or has an empty last dimension.</exception>
    public static Tensor LogSumExp(Tensor x, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckScores(x, nameof(x));
        using var scope = NewDisposeScope();
        var m = ShiftOf(x);
        var lse = (x - m).exp_().sum(-1, keepdim: true).log().add_(m);
        return (keepDim ? lse : lse.squeeze(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>log(softmax(x)) over the last dimension: x − logsumexp(x), stable for any magnitude of x.</summary>
    /// <param name="x">Scores of any shape with at least one dimension.</param>
    /// <returns>A tensor of x's shape whose rows, exponentiated, sum to 1.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is 0-d or has an empty last dimension.</exception>
    public static Tensor LogSoftmax(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckScores(x, nameof(x));
        using var scope = NewDisposeScope();
        // x − (m + log Σ exp(x − m)) regrouped as (x − m) − log Σ exp(x − m): the same value with one pass less,
        // since x − m is needed anyway.
        var shifted = x - ShiftOf(x);
        var logSum = shifted.exp().sum(-1, keepdim: true).log();
        return (shifted - logSum).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Negative log likelihood: −mean over rows i of logProbs[i, target[i]], picked by integer-array indexing
    /// (a row-index tensor 0..n−1 paired with the targets).
    /// </summary>
    /// <param name="logProbs">Log-probabilities, shape [n, c].</param>
    /// <param name="target">Class indices, shape [n], integer type, each in [0, c).</param>
    /// <returns>A 0-d tensor.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, the targets are not integers, or a target is outside [0, c).</exception>
    public static Tensor Nll(Tensor logProbs, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(target);
        CheckRowsAndTargets(logProbs, target, nameof(logProbs), nameof(target));
        CheckClassRange(target, logProbs.shape[1], nameof(target));
        using var scope = NewDisposeScope();
        var rows = arange(logProbs.shape[0], dtype: target.dtype, device: target.device);
        var picked = logProbs.index(TensorIndex.Tensor(rows), TensorIndex.Tensor(target));
        return picked.mean().neg_().MoveToOuterDisposeScope();
    }

    /// <summary>Cross entropy of raw scores: <see cref="Nll"/>(<see cref="LogSoftmax"/>(pred), target).</summary>
    /// <param name="pred">Unnormalised scores (logits), shape [n, c].</param>
    /// <param name="target">Class indices, shape [n], integer type, each in [0, c).</param>
    /// <returns>A 0-d tensor: the mean loss over the rows.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, the targets are not integers, or a target is outside [0, c).</exception>
    public static Tensor CrossEntropy(Tensor pred, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(target);
        // Check before the softmax so the message names the caller's argument.
        CheckRowsAndTargets(pred, target, nameof(pred), nameof(target));
        using var scope = NewDisposeScope();
        return Nll(LogSoftmax(pred), target).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="CrossEntropy"/> computed as a single autograd node: the same forward math (max-shifted log-sum-exp,
    /// targets picked by integer-array indexing) without recording the intermediate steps, and the closed-form
    /// gradient (softmax(pred) − onehot(target)) / n in the backward pass. Use it for training; use
    /// <see cref="CrossEntropy"/> to see the steps. It supports first-order gradients only (no double backward).
    /// </summary>
    /// <param name="pred">Unnormalised scores (logits), shape [n, c].</param>
    /// <param name="target">Class indices, shape [n], integer type, each in [0, c).</param>
    /// <returns>A 0-d tensor: the mean loss over the rows.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, the targets are not integers, or a target is outside [0, c).</exception>
    public static Tensor FusedCrossEntropy(Tensor pred, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(pred);
        ArgumentNullException.ThrowIfNull(target);
        CheckRowsAndTargets(pred, target, nameof(pred), nameof(target));
        CheckClassRange(target, pred.shape[1], nameof(target));
        return CrossEntropyFunction.apply(pred, target);
    }

    /// <summary>
    /// The row maximum, kept as a size-1 last dimension and detached: the result does not depend on it
    /// mathematically, so autograd need not track it. ±∞ maxima are clamped to the largest finite floats so that
    /// x − m stays −∞ (not NaN) in an all −∞ row, and +∞ rows still come out as +∞.
    /// </summary>
    private static Tensor ShiftOf(Tensor x)
    {
        using var _ = no_grad();
        return x.amax([-1], keepdim: true).nan_to_num_();
    }

    private static void CheckScores(Tensor x, string name)
    {
        if (x.Dimensions == 0 || x.shape[^1] == 0)
            throw new ArgumentException($"'{name}' needs a non-empty last dimension of scores; got shape {Shape(x)}.", name);
    }

    /// <summary>Checks that scores are [n, c] and targets are n integer class indices.</summary>
    internal static void CheckRowsAndTargets(Tensor scores, Tensor target, string scoresName, string targetName)
    {
        // size(i), not shape: shape copies every dimension out of native memory, and this runs on every batch.
        if (scores.Dimensions != 2 || scores.size(1) == 0)
            throw new ArgumentException(
                $"'{scoresName}' must have shape [rows, classes] with at least one class; got {Shape(scores)}.", scoresName);
        if (target.Dimensions != 1)
            throw new ArgumentException(
                $"'{targetName}' must be a 1-d tensor of class indices; got shape {Shape(target)}.", targetName);
        if (target.size(0) != scores.size(0))
            throw new ArgumentException(
                $"'{targetName}' holds {target.size(0)} class indices but '{scoresName}' has {scores.size(0)} rows; pass one target per row.",
                targetName);
        if (!IsIndexType(target.dtype))
            throw new ArgumentException(
                $"'{targetName}' must hold integer class indices (int64 or int32); got {target.dtype}. Convert it with .to_type(ScalarType.Int64).",
                targetName);
    }

    private static void CheckClassRange(Tensor target, long classes, string name)
    {
        if (target.shape[0] == 0) return;
        var (min, max) = target.aminmax();
        using (min)
        using (max)
        {
            long lo = min.ToInt64(), hi = max.ToInt64();
            if (lo < 0 || hi >= classes)
                throw new ArgumentException(
                    $"'{name}' holds class index {(lo < 0 ? lo : hi)}, outside [0, {classes}): the scores have {classes} classes.", name);
        }
    }

    private static bool IsIndexType(ScalarType t) => t is ScalarType.Int64 or ScalarType.Int32;

    private static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
}
