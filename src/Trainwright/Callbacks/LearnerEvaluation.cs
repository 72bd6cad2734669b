using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Metrics;
using static TorchSharp.torch;

// In the Learner's namespace on purpose: whoever holds a Learner finds Predict, GetPreds and Validate next to Fit.
// The file lives with the callbacks because Validate reads the metrics of the attached AvgStats.
namespace Trainwright.Learning;

/// <summary>
/// Using a learner's model without training it: <see cref="Predict"/>, <see cref="GetPreds"/>, <see cref="Validate"/>.
/// Each runs in eval mode without gradients and puts the model's train/eval mode back afterwards; only callbacks that
/// prepare batches (<see cref="CallbackPhases.Inference"/>: device placement, reshapes) take part, so metrics, the
/// Recorder, loggers and checkpoints are untouched. None may be called from inside a fit.
/// </summary>
public static class LearnerEvaluation
{
    /// <summary>
    /// The model's output for a batch of inputs <paramref name="x"/> (items along the first dimension; for one item,
    /// <c>x.unsqueeze(0)</c>), on the CPU. The caller owns the result and <paramref name="x"/> is left as it is.
    /// </summary>
    public static Tensor Predict(this Learner learner, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentNullException.ThrowIfNull(x);
        Tensor? result = null;
        if (x.Dimensions == 0) throw new ArgumentException("Predict takes a batch: items along the first dimension (for one item, x.unsqueeze(0)).", nameof(x));
        using var noTarget = zeros(x.shape[0], dtype: ScalarType.Int64); // no targets: a placeholder of the right length
        var batch = new Batch(x, noTarget); // not disposed: that would dispose the caller's x
        learner.Infer([batch], disposeBatches: false, (pred, _) =>
        {
            result = pred.detach().cpu().clone();
            result.DetachFromDisposeScope();
        });
        return result ?? throw new InvalidOperationException("A callback skipped the only batch (CancelBatchException), so there is no prediction.");
    }

    /// <summary>
    /// Predictions and targets over every batch of <paramref name="loader"/> (default: the validation loader), in the
    /// loader's order, concatenated on the CPU. Dispose the result to free them.
    /// </summary>
    public static Predictions GetPreds(this Learner learner, IDataLoader? loader = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var dl = loader ?? learner.Data.Valid;
        var preds = new List<Tensor>();
        var targets = new List<Tensor>();
        try
        {
            learner.Infer(dl, disposeBatches: true, (pred, y) =>
            {
                var p = pred.detach().cpu().clone();
                p.DetachFromDisposeScope();
                preds.Add(p);
                var t = y.detach().cpu().clone();
                t.DetachFromDisposeScope();
                targets.Add(t);
            });
            if (preds.Count == 0) throw new InvalidOperationException("The loader gave no batch, so there are no predictions.");
            var all = cat(preds, 0);
            var ys = cat(targets, 0);
            all.DetachFromDisposeScope();
            ys.DetachFromDisposeScope();
            return new Predictions(all, ys);
        }
        finally
        {
            foreach (var t in preds) t.Dispose();
            foreach (var t in targets) t.Dispose();
        }
    }

    /// <summary>
    /// The loss and metrics over <paramref name="loader"/> (default: the validation loader) without training, averaged
    /// per item as <see cref="AvgStats"/> averages them. The metrics are <paramref name="metrics"/> when given, otherwise
    /// those of the attached <see cref="AvgStats"/> (none when there is none).
    /// </summary>
    public static EvaluationResult Validate(this Learner learner, IDataLoader? loader = null, IReadOnlyList<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var dl = loader ?? learner.Data.Valid;
        var ms = metrics ?? (learner.TryGet<AvgStats>(out var stats) ? stats.Metrics : []);
        var offsets = new int[ms.Count];
        int width = 1;
        for (int i = 0; i < ms.Count; i++) { offsets[i] = width; width += ms[i].StatCount; }
        var sums = new double[width];
        int count = 0;
        learner.Infer(dl, disposeBatches: true, (pred, y) =>
        {
            int bs = (int)pred.size(0);
            using var loss = learner.ComputeLoss(pred, y);
            sums[0] += loss.to_type(ScalarType.Float64).item<double>() * bs;
            for (int i = 0; i < ms.Count; i++)
            {
                using var value = AvgStats.Checked(ms[i], ms[i].Compute(pred, y)).to_type(ScalarType.Float64).cpu();
                var values = value.reshape(-1).data<double>().ToArray();
                for (int k = 0; k < values.Length; k++) sums[offsets[i] + k] += values[k] * bs;
            }
            count += bs;
        });
        var means = sums.Select(s => count == 0 ? double.NaN : s / count).ToArray();
        return new EvaluationResult(count, means[0],
            ms.Select((m, i) => (m.Name, Value: AvgStats.ValueOf(m, means, offsets[i]))).ToDictionary(p => p.Name, p => p.Value));
    }
}

/// <summary>Predictions and targets of a whole loader, on the CPU; disposing frees both.</summary>
/// <param name="Preds">The model's outputs, one row per item.</param>
/// <param name="Targets">The targets, in the same order.</param>
public sealed record Predictions(Tensor Preds, Tensor Targets) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Preds.Dispose();
        Targets.Dispose();
    }
}

/// <summary>Loss and metrics of a model over a loader, averaged per item.</summary>
/// <param name="Count">Items seen.</param>
/// <param name="Loss">Mean loss per item.</param>
/// <param name="Metrics">Each metric's value, by name.</param>
public sealed record EvaluationResult(int Count, double Loss, IReadOnlyDictionary<string, double> Metrics);
