using System.Text;
using nietras.SeparatedValues;

namespace Trainwright.Data.Tables;

/// <summary>
/// Reads CSV through Sep (quoted fields unescaped, UTF-8 with or without a byte order mark), checking each row's field
/// count against the header's, into column builders: one row at a time, or for a large file in blocks of rows that
/// the builders take on other threads while Sep reads on (<see cref="BlockedColumnFill"/>; the same table either way).
/// </summary>
internal static class CsvTableReader
{
    private const int SniffBytes = 64 * 1024;
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];
    private static ReadOnlySpan<byte> Utf16LeBom => [0xFF, 0xFE];
    private static ReadOnlySpan<byte> Utf16BeBom => [0xFE, 0xFF];

    /// <summary>Files from this size on are read by <see cref="BlockedColumnFill"/> when there is more than one core.</summary>
    internal const long ParallelBytes = 1 << 20;

    /// <param name="path">The CSV file.</param>
    /// <param name="options">Delimiter and NA tokens.</param>
    /// <param name="parallel">Fill the columns on several threads; null: when the file is large enough and there are cores to share.</param>
    public static Table Read(string path, TableReadOptions options, bool? parallel = null)
    {
        string source = Path.GetFileName(path);
        char delimiter = options.Delimiter ?? Sniff(path, source);
        var na = new NaTokens(options.NaTokens);
        SepReader reader;
        try
        {
            reader = Sep.Reader(o => o with
            {
                Sep = new Sep(delimiter),
                HasHeader = false,
                Unescape = true,
                DisableColCountCheck = true,
            }).FromFile(path);
        }
        catch (ArgumentException e)
        {
            throw new TabularDataException($"{source}: '{delimiter}' cannot be a delimiter ({e.Message}); use comma, semicolon or tab.", e);
        }
        using (reader)
        {
            string[]? header = null;
            ColumnBuilder[] builders = [];
            BlockedColumnFill? fill = null;
            var lines = new List<int>();
            try
            {
                foreach (var row in reader)
                {
                    if (header is null)
                    {
                        header = new string[row.ColCount];
                        for (int i = 0; i < header.Length; i++)
                        {
                            var name = row[i].Span.Trim().ToString();
                            header[i] = name.Length == 0 ? $"column{i + 1}" : name;
                        }
                        if (header.Length == 1 && header[0] == "column1")
                            throw new TabularDataException($"{source}: the header row is empty; the first line must name the columns.");
                        Table.CheckNames(source, header);
                        int rows = EstimateRows(path, header.Length);
                        builders = [.. header.Select(n => new ColumnBuilder(n, rows))];
                        if (parallel ?? (Environment.ProcessorCount > 1 && new FileInfo(path).Length >= ParallelBytes))
                            fill = new BlockedColumnFill(builders, na);
                        continue;
                    }
                    int count = row.ColCount;
                    if (count != header.Length)
                    {
                        // A blank line is no row (a table's last line often is one).
                        if (count == 1 && row[0].Span.Trim().IsEmpty) continue;
                        throw new TabularDataException(
                            $"{source}: line {row.LineNumberFrom} has {count} fields but the header has {header.Length}; fix that row (a missing or extra '{Printable(delimiter)}', or an unclosed quote).");
                    }
                    if (fill is not null) fill.Add(row);
                    else
                    {
                        for (int i = 0; i < count; i++)
                        {
                            var cell = row[i].Span.Trim();
                            if (na.IsMissing(cell)) builders[i].AddMissing(); else builders[i].Add(cell);
                        }
                    }
                    lines.Add(row.LineNumberFrom);
                }
                fill?.Complete();
                fill = null;
            }
            catch (Exception e) when (e is not TabularDataException and not OutOfMemoryException)
            {
                throw new TabularDataException($"{source}: cannot be read as CSV: {FirstLine(e.Message)}", e);
            }
            finally
            {
                // Only on an error: the columns are not needed, but no thread may still be filling them.
                fill?.Abandon();
            }
            if (header is null)
                throw new TabularDataException($"{source}: the file is empty; a table needs a header row and at least one data row.");
            if (lines.Count == 0)
                throw new TabularDataException($"{source}: the file has a header ({string.Join(", ", header.Take(8))}{(header.Length > 8 ? ", …" : "")}) but no data rows.");
            return new Table(source, [.. builders.Select(b => b.Build())], lines.Count, [.. lines]);
        }
    }

    /// <summary>
    /// Looks at the file's start: refuses empty and binary files, and picks the delimiter that occurs most often (outside
    /// quotes) in the header line among comma, semicolon and tab.
    /// </summary>
    internal static char Sniff(string path, string source)
    {
        byte[] head;
        using (var stream = File.OpenRead(path))
        {
            head = new byte[(int)Math.Min(SniffBytes, stream.Length)];
            stream.ReadExactly(head);
        }
        int start = head.AsSpan().StartsWith(Utf8Bom) ? 3 : 0;
        if (head.Length - start == 0 || head.AsSpan(start).IndexOfAnyExcept(" \t\r\n"u8) < 0)
            throw new TabularDataException($"{source}: the file is empty; a table needs a header row and at least one data row.");
        if (head.AsSpan().StartsWith(Utf16LeBom) || head.AsSpan().StartsWith(Utf16BeBom))
            throw new TabularDataException($"{source}: the file is UTF-16 text; save it as UTF-8 CSV.");
        if (head.AsSpan().Contains((byte)0))
            throw new TabularDataException($"{source}: the file is binary, not CSV text (nor Parquet); pass a CSV or Parquet file.");
        var text = Encoding.UTF8.GetString(head, start, head.Length - start);
        int comma = 0, semicolon = 0, tab = 0;
        bool quoted = false;
        foreach (char ch in text)
        {
            if (ch == '"') quoted = !quoted;
            else if (quoted) continue;
            else if (ch is '\n' or '\r') break;
            else if (ch == ',') comma++;
            else if (ch == ';') semicolon++;
            else if (ch == '\t') tab++;
        }
        return tab > comma && tab >= semicolon ? '\t' : semicolon > comma ? ';' : ',';
    }

    /// <summary>
    /// About how many data rows the file has, from the lines in its first 64 KiB, so column storage is allocated once
    /// instead of doubling; never more than a row of <paramref name="columns"/> fields (at least that many bytes) allows.
    /// </summary>
    internal static int EstimateRows(string path, int columns)
    {
        byte[] head;
        long length;
        using (var stream = File.OpenRead(path))
        {
            length = stream.Length;
            head = new byte[(int)Math.Min(SniffBytes, length)];
            stream.ReadExactly(head);
        }
        long lines = head.AsSpan().Count((byte)'\n');
        if (lines == 0) return 0;
        // The header is one of the lines; a little slack for lines a bit shorter than the first ones.
        double estimate = head.Length == length ? lines : length * (double)lines / head.Length * 1.02;
        return (int)Math.Min(estimate, Math.Min(length / Math.Max(1, columns) + 1, Array.MaxLength / 8));
    }

    private static string Printable(char delimiter) => delimiter == '\t' ? "\\t" : delimiter.ToString();

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
