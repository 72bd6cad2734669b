namespace Trainwright.Data.Tables;

/// <summary>Decides whether a trimmed cell means "missing".</summary>
internal sealed class NaTokens
{
    private readonly string[] tokens;
    private readonly bool emptyIsMissing;

    public NaTokens(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        this.tokens = [.. tokens.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
        emptyIsMissing = tokens.Any(t => t.Trim().Length == 0);
    }

    public bool IsMissing(ReadOnlySpan<char> cell)
    {
        if (cell.IsEmpty) return emptyIsMissing;
        foreach (var token in tokens)
            if (cell.Length == token.Length && cell.Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
