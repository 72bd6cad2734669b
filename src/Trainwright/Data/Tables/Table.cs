namespace Trainwright.Data.Tables;

/// <summary>
/// A table read from a CSV or Parquet file, stored column by column (<see cref="TableColumn"/>): no object per cell,
/// so a million rows of thirty columns fit in a few hundred megabytes.
/// </summary>
public sealed class Table
{
    private readonly Dictionary<string, int> byName;
    private readonly int[]? lineNumbers;

    internal Table(string source, IReadOnlyList<TableColumn> columns, int rowCount, int[]? lineNumbers)
    {
        Source = source;
        Columns = columns;
        RowCount = rowCount;
        this.lineNumbers = lineNumbers;
        byName = columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>Where the table came from (the file name).</summary>
    public string Source { get; }

    /// <summary>The columns, in file order.</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>Number of data rows (the header is not a row).</summary>
    public int RowCount { get; }

    /// <summary>The column names, in file order.</summary>
    public IEnumerable<string> ColumnNames => Columns.Select(c => c.Name);

    /// <summary>The column named <paramref name="name"/> (exact, case-sensitive).</summary>
    /// <exception cref="KeyNotFoundException">No column has that name.</exception>
    public TableColumn this[string name] => TryGetColumn(name, out var column) ? column
        : throw new KeyNotFoundException($"The table has no column '{name}'.");

    /// <summary>Finds a column by its exact name.</summary>
    public bool TryGetColumn(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TableColumn? column)
    {
        column = byName.TryGetValue(name, out int i) ? Columns[i] : null;
        return column is not null;
    }

    /// <summary>
    /// Where row <paramref name="row"/> (from 0) is in the file, for messages: "row 12 (line 13)" for CSV, "row 12" for Parquet.
    /// </summary>
    public string Locate(int row) => lineNumbers is null ? $"row {row + 1}" : $"row {row + 1} (line {lineNumbers[row]})";

    /// <summary>
    /// Reads a CSV (comma, semicolon or tab separated; header row required) or Parquet file. Parquet is recognised by
    /// its magic bytes, whatever the file's extension.
    /// </summary>
    /// <exception cref="TabularDataException">The file is missing, empty, binary, ragged, has no data rows or duplicate column names.</exception>
    public static Table Read(string path, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new TableReadOptions();
        if (!File.Exists(path))
            throw new TabularDataException(Directory.Exists(path)
                ? $"'{path}' is a folder, not a table file; pass a .csv or .parquet file."
                : $"Table file '{path}' not found; check the path.");
        return ParquetTableReader.IsParquet(path) ? ParquetTableReader.Read(path, options) : CsvTableReader.Read(path, options);
    }

    /// <summary>Builds a table from named columns of equal length, e.g. in tests or from another data source.</summary>
    /// <param name="source">A name for messages.</param>
    /// <param name="columns">Column name and its cell texts (null for missing), all of equal length.</param>
    /// <param name="options">NA tokens to apply to the texts.</param>
    public static Table FromTexts(string source, IReadOnlyList<(string Name, IReadOnlyList<string?> Values)> columns, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        options ??= new TableReadOptions();
        CheckNames(source, columns.Select(c => c.Name).ToArray());
        int rows = columns.Count == 0 ? 0 : columns[0].Values.Count;
        var na = new NaTokens(options.NaTokens);
        var built = new List<TableColumn>();
        foreach (var (name, values) in columns)
        {
            if (values.Count != rows)
                throw new ArgumentException($"Column '{name}' has {values.Count} values but the first column has {rows}.", nameof(columns));
            var builder = new ColumnBuilder(name, rows);
            foreach (var v in values)
            {
                var span = v.AsSpan().Trim();
                if (v is null || na.IsMissing(span)) builder.AddMissing(); else builder.Add(span);
            }
            built.Add(builder.Build());
        }
        return new Table(source, built, rows, null);
    }

    internal static void CheckNames(string source, IReadOnlyList<string> names)
    {
        var dup = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new TabularDataException($"{source}: column name '{dup.Key}' appears {dup.Count()} times in the header; column names must be unique, rename the duplicates.");
    }
}
