namespace Trainwright.Data;

/// <summary>A finite, indexable collection of items (the lesson's Dataset: <c>__len__</c> and <c>__getitem__</c>).</summary>
/// <typeparam name="TItem">What one index returns, e.g. an (x, y) pair of tensors.</typeparam>
public interface IDataset<out TItem>
{
    /// <summary>Number of items.</summary>
    int Count { get; }

    /// <summary>The item at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    TItem this[int index] { get; }
}
