namespace Trainwright.Data;

/// <summary>What <see cref="DataLoader{TItem}.Shard"/> does with the items of an epoch that do not divide evenly among the processes.</summary>
public enum ShardTail
{
    /// <summary>Drop them, so every process takes the same number of steps (training).</summary>
    Drop,
    /// <summary>Keep them, so every item is visited once and shards differ by at most one item (validation).</summary>
    Keep,
}
