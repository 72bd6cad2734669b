namespace Trainwright.Callbacks;

/// <summary>Loss and metrics of one training or validation pass, averaged over items (not batches).</summary>
/// <param name="Epoch">The epoch, from 0.</param>
/// <param name="Training">True for the training pass, false for validation.</param>
/// <param name="Count">Items seen.</param>
/// <param name="Loss">Mean loss per item.</param>
/// <param name="Metrics">Mean of each metric per item, by name.</param>
public sealed record PhaseStats(int Epoch, bool Training, int Count, double Loss, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>One line, e.g. <c>train: loss 0.3124, accuracy 0.9102 (50000 items)</c>.</summary>
    public override string ToString() =>
        $"{(Training ? "train" : "valid")}: loss {Loss:F4}"
        + string.Concat(Metrics.Select(m => $", {m.Key} {m.Value:F4}"))
        + $" ({Count} items)";
}
