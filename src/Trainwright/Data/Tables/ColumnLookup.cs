namespace Trainwright.Data.Tables;

/// <summary>A table's columns by name, with the named date columns' parts added (computed once, on first use).</summary>
internal sealed class ColumnLookup
{
    private readonly Table table;
    private readonly Dictionary<string, TableColumn> parts = new(StringComparer.Ordinal);
    private readonly HashSet<string> dateColumns;

    public ColumnLookup(Table table, IEnumerable<string> dateColumns)
    {
        this.table = table;
        this.dateColumns = new HashSet<string>(dateColumns, StringComparer.Ordinal);
    }

    public bool Has(string name) => table.TryGetColumn(name, out _) || PartOf(name) is not null;

    public TableColumn this[string name]
    {
        get
        {
            if (parts.TryGetValue(name, out var part)) return part;
            if (table.TryGetColumn(name, out var column) && !dateColumns.Contains(name)) return column;
            var source = PartOf(name) ?? throw new TabularDataException($"{table.Source}: no column '{name}'.");
            foreach (var p in DateParts.Expand(table, table[source])) parts[p.Name] = p;
            return parts[name];
        }
    }

    private string? PartOf(string name)
    {
        int cut = name.LastIndexOf('_');
        if (cut <= 0) return null;
        string source = name[..cut];
        return dateColumns.Contains(source) && DateParts.Suffixes.Contains(name[(cut + 1)..]) && table.TryGetColumn(source, out _) ? source : null;
    }
}
