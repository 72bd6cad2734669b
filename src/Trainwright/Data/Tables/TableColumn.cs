namespace Trainwright.Data.Tables;

/// <summary>
/// One column of a <see cref="Table"/>, stored by kind without an object per cell: numbers in a <c>double[]</c> (NaN
/// for missing), dates as ticks, text as <c>int</c> codes into one interned list of distinct values.
/// </summary>
public sealed class TableColumn
{
    internal const long MissingTicks = long.MinValue;

    private readonly double[]? numbers;
    private readonly long[]? ticks;
    private readonly int[]? codes;
    private readonly string[] levels;
    private readonly Lazy<(long Min, long Max)?> integerRange;

    internal TableColumn(string name, ColumnKind kind, int length, double[]? numbers, long[]? ticks, int[]? codes,
        string[] levels, int missing, bool allIntegers, int distinctNumbers)
    {
        Name = name;
        Kind = kind;
        Length = length;
        this.numbers = numbers;
        this.ticks = ticks;
        this.codes = codes;
        this.levels = levels;
        MissingCount = missing;
        AllIntegers = allIntegers;
        DistinctNumbers = distinctNumbers;
        integerRange = new(FindIntegerRange);
    }

    /// <summary>The header's name of the column.</summary>
    public string Name { get; }

    /// <summary>What the values read as.</summary>
    public ColumnKind Kind { get; }

    /// <summary>Number of rows.</summary>
    public int Length { get; }

    /// <summary>Rows whose value is missing (an NA token, or absent).</summary>
    public int MissingCount { get; }

    /// <summary>A numeric column whose values are all whole numbers.</summary>
    public bool AllIntegers { get; }

    /// <summary>
    /// Distinct present values: exact for text, dates and numbers up to <see cref="DistinctCap"/>; a numeric column with
    /// more reports <see cref="DistinctCap"/> + 1.
    /// </summary>
    public int DistinctCount => Kind == ColumnKind.Text ? levels.Length : DistinctNumbers;

    /// <summary>Above this many distinct values a numeric or date column stops counting them.</summary>
    public const int DistinctCap = 1000;

    /// <summary>The distinct values of a text column, in order of first appearance (codes index into it).</summary>
    public IReadOnlyList<string> Levels => levels;

    internal int DistinctNumbers { get; }

    /// <summary>True when row <paramref name="row"/> has no value.</summary>
    public bool IsMissing(int row) => Kind switch
    {
        ColumnKind.Numeric => double.IsNaN(numbers![row]),
        ColumnKind.Date => ticks![row] == MissingTicks,
        ColumnKind.Text => codes![row] < 0,
        _ => true,
    };

    /// <summary>The number in row <paramref name="row"/> of a numeric column, NaN when missing (or the column is not numeric).</summary>
    public double NumberAt(int row) => Kind == ColumnKind.Numeric ? numbers![row] : double.NaN;

    /// <summary>The date in row <paramref name="row"/> of a date column, or null.</summary>
    public DateTime? DateAt(int row) =>
        Kind == ColumnKind.Date && ticks![row] != MissingTicks ? new DateTime(ticks[row], DateTimeKind.Utc) : null;

    /// <summary>The code of row <paramref name="row"/> of a text column into <see cref="Levels"/>, −1 when missing.</summary>
    public int CodeAt(int row) => Kind == ColumnKind.Text ? codes![row] : -1;

    /// <summary>The value of row <paramref name="row"/> as canonical text (numbers and dates respelled), or null when missing.</summary>
    public string? TextAt(int row) => Kind switch
    {
        ColumnKind.Numeric => double.IsNaN(numbers![row]) ? null : TextValues.NumberText(numbers[row]),
        ColumnKind.Date => ticks![row] == MissingTicks ? null : TextValues.DateText(new DateTime(ticks[row], DateTimeKind.Utc)),
        ColumnKind.Text => codes![row] < 0 ? null : levels[codes[row]],
        _ => null,
    };

    /// <summary>The raw storage of a numeric column (read-only by convention), for fast column-wise passes.</summary>
    internal ReadOnlySpan<double> Numbers => numbers.AsSpan(0, Length);

    /// <summary><see cref="Numbers"/>, to keep.</summary>
    internal ReadOnlyMemory<double> NumberMemory => numbers.AsMemory(0, Length);

    internal ReadOnlySpan<int> Codes => codes.AsSpan(0, Length);

    internal ReadOnlySpan<long> Ticks => ticks.AsSpan(0, Length);

    /// <summary>
    /// The smallest and largest value of a numeric column of whole numbers with at least one value, else null; found
    /// once, on first use, so categorical codes can come from an array indexed by value instead of a hash lookup.
    /// </summary>
    internal (long Min, long Max)? IntegerRange => integerRange.Value;

    private (long Min, long Max)? FindIntegerRange()
    {
        if (Kind != ColumnKind.Numeric || !AllIntegers || MissingCount == Length) return null;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in Numbers)
        {
            // NaN (missing) fails both comparisons.
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return ((long)min, (long)max);
    }
}
