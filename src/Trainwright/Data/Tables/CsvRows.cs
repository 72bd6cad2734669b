using nietras.SeparatedValues;

namespace Trainwright.Data.Tables;

/// <summary>
/// The fields of a CSV file as text, row by row, read the way <see cref="TabularData"/> reads it (the same delimiter
/// detection and unquoting): for writing input rows back out beside their predictions.
/// </summary>
public static class CsvRows
{
    /// <summary>The header, then each data row's fields, in file order.</summary>
    /// <param name="path">A CSV (or TSV) file.</param>
    /// <param name="delimiter">The delimiter, or null to detect it as <see cref="TabularData"/> does.</param>
    /// <exception cref="TabularDataException">The file is empty, binary, or not delimited text.</exception>
    public static IEnumerable<string[]> Read(string path, char? delimiter = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        char sep = delimiter ?? CsvTableReader.Sniff(path, Path.GetFileName(path));
        using var reader = Sep.Reader(o => o with { Sep = new Sep(sep), HasHeader = false, Unescape = true, DisableColCountCheck = true }).FromFile(path);
        foreach (var row in reader)
        {
            var fields = new string[row.ColCount];
            for (int i = 0; i < fields.Length; i++) fields[i] = row[i].ToString();
            yield return fields;
        }
    }
}
