using nietras.SeparatedValues;

namespace Trainwright.Data.Tables;

/// <summary>
/// A block of CSV rows copied out of the parser's buffer, each cell trimmed: the text in one array, where each cell
/// ends in another (row by row), so column builders can take the block's cells on other threads while the parser
/// reads on.
/// </summary>
internal sealed class CellBlock
{
    private readonly int columns;
    // Column by column, so a builder reads its cells front to back: the end of row r's cell of column c is ends[c * Capacity + r].
    private readonly int[] ends;
    private readonly char[][] text;
    private readonly int[] used;

    public CellBlock(int columns, int rows)
    {
        this.columns = columns;
        Capacity = rows;
        ends = new int[columns * rows];
        text = [.. Enumerable.Range(0, columns).Select(_ => new char[rows * 8])];
        used = new int[columns];
    }

    /// <summary>The rows the block holds when full.</summary>
    public int Capacity { get; }

    /// <summary>The rows it holds now.</summary>
    public int Rows { get; private set; }

    public bool IsFull => Rows == Capacity;

    /// <summary>Copies a row of exactly <c>columns</c> fields (the caller checked the count).</summary>
    public void Add(SepReader.Row row)
    {
        for (int c = 0; c < columns; c++)
        {
            var cell = row[c].Span.Trim();
            int at = used[c];
            if (text[c].Length - at < cell.Length) Array.Resize(ref text[c], Math.Max(text[c].Length * 2, at + cell.Length));
            cell.CopyTo(text[c].AsSpan(at));
            used[c] = at + cell.Length;
            ends[c * Capacity + Rows] = at + cell.Length;
        }
        Rows++;
    }

    /// <summary>Appends column <paramref name="column"/> of every row to <paramref name="builder"/>, in row order.</summary>
    public void Feed(ColumnBuilder builder, NaTokens na, int column)
    {
        var cells = text[column].AsSpan();
        var columnEnds = ends.AsSpan(column * Capacity, Rows);
        int start = 0;
        foreach (int end in columnEnds)
        {
            var cell = cells[start..end];
            start = end;
            if (na.IsMissing(cell)) builder.AddMissing(); else builder.Add(cell);
        }
    }

    public void Clear()
    {
        Rows = 0;
        used.AsSpan().Clear();
    }
}
