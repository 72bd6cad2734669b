using static TorchSharp.torch;

namespace Trainwright.Callbacks;

/// <summary>
/// Copies of the predictions and targets of recent batches, held so that row-mean metrics can be computed once over
/// all of them (one group of native calls) instead of on every batch. Owns its copies: the loop frees each batch's own
/// tensors when the batch ends. The owner calls <see cref="Clear"/> when a pass starts or the fit ends.
/// </summary>
internal sealed class PendingRows
{
    // Small enough that holding the copies costs nothing worth counting (4 MB of float32 predictions), large enough
    // that an MLP's batches of 64 are joined 64 at a time.
    private const int MaxBatches = 64;
    private const long MaxElements = 1 << 20;

    private readonly List<Tensor> preds = [];
    private readonly List<Tensor> targets = [];
    private long elements;

    /// <summary>How many rows are held.</summary>
    public int Rows { get; private set; }

    /// <summary>True when the held rows should be joined and measured now.</summary>
    public bool Full => preds.Count >= MaxBatches || elements >= MaxElements;

    /// <summary>Keeps copies of one batch's predictions and targets (call under <c>no_grad</c>).</summary>
    public void Add(Tensor pred, Tensor target, int rows)
    {
        var p = pred.clone().DetachFromDisposeScope();
        Tensor t;
        try { t = target.clone().DetachFromDisposeScope(); }
        catch { p.Dispose(); throw; }
        preds.Add(p);
        targets.Add(t);
        elements += p.numel();
        Rows += rows;
    }

    /// <summary>
    /// The held predictions and targets joined along rows (made in the caller's dispose scope) and their row count,
    /// then forgets them. Null when nothing is held.
    /// </summary>
    public (Tensor Pred, Tensor Target, int Rows)? Take()
    {
        if (preds.Count == 0) return null;
        try
        {
            return preds.Count == 1
                ? (preds[0].alias(), targets[0].alias(), Rows)
                : (cat(preds, 0), cat(targets, 0), Rows);
        }
        finally { Clear(); }
    }

    /// <summary>Frees every held copy.</summary>
    public void Clear()
    {
        foreach (var t in preds) t.Dispose();
        foreach (var t in targets) t.Dispose();
        preds.Clear();
        targets.Clear();
        elements = 0;
        Rows = 0;
    }
}
