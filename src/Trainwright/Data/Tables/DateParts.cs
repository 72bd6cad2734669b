using System.Runtime.CompilerServices;

namespace Trainwright.Data.Tables;

/// <summary>
/// fastai's <c>add_datepart</c>: a date column becomes numeric columns <c>name_Year</c>, <c>_Month</c>, <c>_Day</c>,
/// <c>_Dayofweek</c> (Monday = 0), <c>_Dayofyear</c> and <c>_Elapsed</c> (days since 1970-01-01, fractional). Missing
/// dates give missing parts. Roles of the parts are then inferred like any numeric column's.
/// </summary>
public static class DateParts
{
    /// <summary>The suffixes of the part columns, in order.</summary>
    public static IReadOnlyList<string> Suffixes { get; } = ["Year", "Month", "Day", "Dayofweek", "Dayofyear", "Elapsed"];

    // Role inference, fitting and each transform all ask for the parts of the same column: compute them once.
    private static readonly ConditionalWeakTable<TableColumn, IReadOnlyList<TableColumn>> Computed = [];

    /// <summary>The part columns of a date column (computed once per column).</summary>
    /// <exception cref="TabularDataException">The column holds something other than dates.</exception>
    public static IReadOnlyList<TableColumn> Expand(Table table, TableColumn column)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(column);
        if (Computed.TryGetValue(column, out var parts)) return parts;
        parts = Compute(table, column);
        Computed.AddOrUpdate(column, parts);
        return parts;
    }

    private static IReadOnlyList<TableColumn> Compute(Table table, TableColumn column)
    {
        if (column.Kind is not (ColumnKind.Date or ColumnKind.Empty))
        {
            int row = Enumerable.Range(0, column.Length).First(r => !column.IsMissing(r) && column.TextAt(r) is { } t && !TextValues.TryParseDate(t, out _));
            throw new TabularDataException(
                $"{table.Source}: column '{column.Name}' should hold dates (yyyy-MM-dd), but {table.Locate(row)} has '{column.TextAt(row)}'; fix the value or mark it missing.");
        }
        var builders = Suffixes.Select(s => new ColumnBuilder($"{column.Name}_{s}", column.Length)).ToArray();
        for (int r = 0; r < column.Length; r++)
        {
            if (column.DateAt(r) is not { } d)
            {
                foreach (var b in builders) b.AddMissing();
                continue;
            }
            builders[0].AddNumber(d.Year);
            builders[1].AddNumber(d.Month);
            builders[2].AddNumber(d.Day);
            builders[3].AddNumber(((int)d.DayOfWeek + 6) % 7);
            builders[4].AddNumber(d.DayOfYear);
            builders[5].AddNumber((d - DateTime.UnixEpoch).TotalDays);
        }
        return [.. builders.Select(b => b.Build())];
    }
}
