namespace Trainwright.Data.Tables;

/// <summary>Finds the column name nearest to a mistyped one, for "did you mean" suggestions.</summary>
internal static class Names
{
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (c, d: Naming.EditDistance.Between(name.ToUpperInvariant(), c.ToUpperInvariant())))
            .OrderBy(p => p.d).FirstOrDefault();
        return best.c is not null && best.d <= Math.Max(2, name.Length / 3) ? best.c : null;
    }

    public static string Unknown(Table table, string what, string name)
    {
        var nearest = Nearest(name, table.ColumnNames);
        return $"{table.Source}: no {what} column '{name}'{(nearest is null ? "" : $" (did you mean '{nearest}'?)")}; the columns are {string.Join(", ", table.ColumnNames)}.";
    }
}
