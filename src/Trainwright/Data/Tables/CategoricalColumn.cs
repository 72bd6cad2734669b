namespace Trainwright.Data.Tables;

/// <summary>
/// A fitted Categorify step for one column: its vocabulary from the training split, with index 0
/// (<see cref="TabularPreprocessor.MissingLevel"/>) reserved for missing and unseen values.
/// </summary>
/// <param name="Name">Column name (for a missing-value indicator, <c>col_na</c>).</param>
/// <param name="Levels">The vocabulary: <c>#na#</c> first, then the training split's values in sorted order.</param>
/// <param name="IndicatorOf">Set for an <c>is_missing</c> indicator: the continuous column it flags (levels #na#, false, true).</param>
public sealed record CategoricalColumn(string Name, IReadOnlyList<string> Levels, string? IndicatorOf = null)
{
    /// <summary>Number of codes, including the reserved one (the embedding's row count).</summary>
    public int Cardinality => Levels.Count;
}
