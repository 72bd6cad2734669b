using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>
/// A dataset over two tensors that share their first dimension: item <c>i</c> is <c>(X[i], Y[i])</c>.
/// Besides single items it gathers a whole batch at once (<see cref="Gather(ReadOnlySpan{int})"/>), which
/// <see cref="DataLoader{TItem}"/> uses when it collates with the default collate: by copying rows when both tensors
/// are contiguous on the CPU, else with one <c>index_select</c> per tensor.
/// The dataset does not own <see cref="X"/> and <see cref="Y"/>; whoever made them disposes them.
/// Reading is thread-safe (workers gather concurrently), as long as nobody writes the tensors meanwhile.
/// </summary>
public sealed class TensorPairDataset : IDataset<(Tensor X, Tensor Y)>
{
    /// <summary>Wraps inputs <paramref name="x"/> and targets <paramref name="y"/> (same first dimension).</summary>
    public TensorPairDataset(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Dimensions == 0 || y.Dimensions == 0 || x.shape[0] != y.shape[0])
            throw new ArgumentException(
                $"Inputs and targets need the same first dimension; got x [{string.Join(", ", x.shape)}] and y [{string.Join(", ", y.shape)}].");
        if (x.shape[0] > int.MaxValue)
            throw new ArgumentException($"A dataset holds at most {int.MaxValue} items; x has {x.shape[0]}.", nameof(x));
        X = x;
        Y = y;
        // Cached: reading the shape is a native call that marshals an array, too slow for a per-index bounds check.
        Count = (int)x.shape[0];
        if (RowCopy.Supports(x) && RowCopy.Supports(y))
        {
            xRow = x.shape[1..];
            yRow = y.shape[1..];
            xRowBytes = xRow.Aggregate(1L, (a, b) => a * b) * x.element_size();
            yRowBytes = yRow.Aggregate(1L, (a, b) => a * b) * y.element_size();
        }
    }

    // Set when both tensors are contiguous on the CPU: batches are then gathered by copying rows.
    private readonly long[]? xRow, yRow;
    private readonly long xRowBytes, yRowBytes;

    /// <summary>Inputs, item first.</summary>
    public Tensor X { get; }

    /// <summary>Targets, item first.</summary>
    public Tensor Y { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <summary>Item <paramref name="index"/> as two new tensors (views of one row) that the caller disposes.</summary>
    public (Tensor X, Tensor Y) this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be in [0, {Count}).");
            return (X[index], Y[index]);
        }
    }

    /// <summary>
    /// The items at <paramref name="indices"/> (an int64 1-D tensor) stacked into a batch, gathered with one
    /// <c>index_select</c> per tensor. The batch owns new tensors; the caller disposes it.
    /// </summary>
    public Batch Gather(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var xb = X.index_select(0, indices);
        try
        {
            return new Batch(xb, Y.index_select(0, indices));
        }
        catch
        {
            xb.Dispose();
            throw;
        }
    }

    /// <summary>The items at <paramref name="indices"/> stacked into a batch; see <see cref="Gather(Tensor)"/>.</summary>
    public Batch Gather(ReadOnlySpan<int> indices)
    {
        var longs = new long[indices.Length];
        for (int i = 0; i < longs.Length; i++)
        {
            if ((uint)indices[i] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"Index must be in [0, {Count}).");
            longs[i] = indices[i];
        }
        if (xRow is not null && X.is_contiguous() && Y.is_contiguous())
            return new Batch(RowCopy.Gather(X, indices, xRowBytes, xRow), RowCopy.Gather(Y, indices, yRowBytes, yRow!));
        using var index = tensor(longs, ScalarType.Int64);
        return Gather(index);
    }
}
