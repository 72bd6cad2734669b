namespace Trainwright.Data.Tables;

/// <summary>How a table file is read.</summary>
public sealed record TableReadOptions
{
    /// <summary>The default missing-value tokens: empty, <c>NA</c>, <c>N/A</c>, <c>null</c>, <c>NaN</c> (any case).</summary>
    public static IReadOnlyList<string> DefaultNaTokens { get; } = ["", "NA", "N/A", "null", "NaN"];

    /// <summary>The CSV delimiter, or null to detect it from the header (comma, semicolon or tab).</summary>
    public char? Delimiter { get; init; }

    /// <summary>Cell values (compared ignoring case, after trimming spaces) that mean "missing".</summary>
    public IReadOnlyList<string> NaTokens { get; init; } = DefaultNaTokens;
}
