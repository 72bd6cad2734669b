namespace Trainwright.Data;

/// <summary>
/// A pass over <paramref name="inner"/> that drops its first <paramref name="count"/> batches, disposing each. The
/// batches are still drawn, so the loader's order and the RNG advance exactly as in a full pass.
/// </summary>
internal sealed class SkipFirstBatches(IDataLoader inner, int count) : IDataLoader
{
    public int ItemCount => inner.ItemCount;

    public int BatchCount => inner.BatchCount;

    public int BatchSize => inner.BatchSize;

    public int Epoch { get => inner.Epoch; set => inner.Epoch = value; }

    public IEnumerator<Batch> GetEnumerator()
    {
        int skip = count;
        foreach (var batch in inner)
        {
            if (skip > 0)
            {
                skip--;
                batch.Dispose();
                continue;
            }
            yield return batch;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
