namespace Trainwright.Distributed;

/// <summary>How an all-reduce combines the processes' values element by element.</summary>
public enum ReduceOp
{
    /// <summary>The sum over processes.</summary>
    Sum,
    /// <summary>The largest value over processes.</summary>
    Max,
    /// <summary>The smallest value over processes.</summary>
    Min,
}
