namespace Trainwright.Data.Tables;

/// <summary>Finds the column name nearest to a mistyped one, for "did you mean" suggestions.</summary>
internal static class Names
{
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (c, d: Distance(name.ToUpperInvariant(), c.ToUpperInvariant())))
            .OrderBy(p => p.d).FirstOrDefault();
        return best.c is not null && best.d <= Math.Max(2, name.Length / 3) ? best.c : null;
    }

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    public static string Unknown(Table table, string what, string name)
    {
        var nearest = Nearest(name, table.ColumnNames);
        return $"{table.Source}: no {what} column '{name}'{(nearest is null ? "" : $" (did you mean '{nearest}'?)")}; the columns are {string.Join(", ", table.ColumnNames)}.";
    }
}
