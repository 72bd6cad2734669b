namespace Trainwright.Data;

/// <summary>
/// Making a batch failed, on the calling thread or on a loader worker. <see cref="ItemIndex"/> names the dataset item whose
/// fetch threw (null when the collate function or the batch gather threw); <see cref="Exception.InnerException"/> is the
/// original error.
/// </summary>
public sealed class DataLoaderException : Exception
{
    /// <summary>Creates the exception for batch <paramref name="batchIndex"/> holding <paramref name="itemIndices"/>.</summary>
    public DataLoaderException(int batchIndex, IReadOnlyList<int> itemIndices, int? itemIndex, Exception inner)
        : base(Describe(batchIndex, itemIndices, itemIndex, inner), inner)
    {
        BatchIndex = batchIndex;
        ItemIndices = itemIndices;
        ItemIndex = itemIndex;
    }

    /// <summary>Position of the failed batch within its epoch.</summary>
    public int BatchIndex { get; }

    /// <summary>Dataset indices of every item of the failed batch.</summary>
    public IReadOnlyList<int> ItemIndices { get; }

    /// <summary>Dataset index of the item whose fetch failed, or null when collating the batch failed.</summary>
    public int? ItemIndex { get; }

    private static string Describe(int batchIndex, IReadOnlyList<int> itemIndices, int? itemIndex, Exception inner)
    {
        ArgumentNullException.ThrowIfNull(itemIndices);
        ArgumentNullException.ThrowIfNull(inner);
        var cause = $"{inner.GetType().Name}: {inner.Message}";
        if (itemIndex is int item)
            return $"Loading dataset item {item} (batch {batchIndex}) failed: {cause}";
        var preview = string.Join(", ", itemIndices.Take(8)) + (itemIndices.Count > 8 ? ", …" : "");
        return $"Collating batch {batchIndex} (items {preview}) failed: {cause}";
    }
}
