namespace Trainwright.Data;

/// <summary>
/// Anything the Learner can iterate for mini-batches. Each enumeration is one epoch; each yielded
/// <see cref="Batch"/> belongs to the consumer, who disposes it.
/// </summary>
public interface IDataLoader : IEnumerable<Batch>
{
    /// <summary>Number of items one epoch visits.</summary>
    int ItemCount { get; }

    /// <summary>Number of batches one epoch yields.</summary>
    int BatchCount { get; }

    /// <summary>Items per batch (the last batch may be smaller unless the loader drops it).</summary>
    int BatchSize { get; }

    /// <summary>True when a last batch smaller than <see cref="BatchSize"/> is dropped.</summary>
    bool DropLast => false;

    /// <summary>
    /// The epoch whose item order the next enumeration uses. The Learner sets it before each pass, so a shuffled
    /// order depends only on the seed and the epoch, and a resumed fit sees the same batches as an uninterrupted one.
    /// </summary>
    int Epoch { get; set; }
}
