using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>Collate functions: they turn the items of one batch into a <see cref="Batch"/>.</summary>
public static class Collate
{
    /// <summary>
    /// The default collate for (x, y) items: stacks the inputs and the targets along a new first dimension.
    /// The items stay owned by the caller; the batch holds new tensors.
    /// </summary>
    public static Batch StackPairs(IReadOnlyList<(Tensor X, Tensor Y)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("Cannot collate an empty batch.", nameof(items));
        var xs = new Tensor[items.Count];
        var ys = new Tensor[items.Count];
        for (int i = 0; i < items.Count; i++) (xs[i], ys[i]) = items[i];
        var xb = stack(xs);
        try
        {
            return new Batch(xb, stack(ys));
        }
        catch
        {
            xb.Dispose();
            throw;
        }
    }
}
