namespace Trainwright.Data.Tables;

/// <summary>Decides whether a trimmed cell means "missing".</summary>
internal sealed class NaTokens
{
    private readonly string[] tokens;
    private readonly bool emptyIsMissing;
    // ASCII characters that can start a token (either case): most cells (numbers, words) fail this one lookup.
    private readonly bool[] asciiStarts = new bool[128];

    public NaTokens(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        this.tokens = [.. tokens.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
        emptyIsMissing = tokens.Any(t => t.Trim().Length == 0);
        foreach (var token in this.tokens)
            for (int c = 0; c < asciiStarts.Length; c++)
                if (MemoryExtensions.Equals([(char)c], token.AsSpan(0, 1), StringComparison.OrdinalIgnoreCase)) asciiStarts[c] = true;
    }

    public bool IsMissing(ReadOnlySpan<char> cell)
    {
        if (cell.IsEmpty) return emptyIsMissing;
        // A non-ASCII first character may still equal a token's ignoring case (e.g. 'ı' and 'I'): the full comparison decides.
        char first = cell[0];
        if (first < 128 && !asciiStarts[first]) return false;
        foreach (var token in tokens)
            if (cell.Length == token.Length && cell.Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
