namespace Trainwright.Data.Tables;

/// <summary>
/// Builds one <see cref="TableColumn"/> cell by cell, deciding its kind as it goes: numeric while every present value
/// is a number, date while every present value is an ISO date, text from the first value that is neither (the
/// values before it are respelled canonically and interned). Text is interned through a span lookup, so a repeated
/// value costs no allocation.
/// </summary>
internal sealed class ColumnBuilder
{
    private readonly string name;
    private ColumnKind kind = ColumnKind.Empty;
    private int length, missing;
    private double[] numbers = [];
    private long[] ticks = [];
    private int[] codes = [];
    private readonly List<string> levels = [];
    private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup;
    private readonly DistinctCounter distinct = new(TableColumn.DistinctCap);
    private readonly int capacity;
    private bool allIntegers = true;

    /// <param name="name">The column's name.</param>
    /// <param name="capacity">The rows expected (a guess; storage grows past it), so the storage is allocated once.</param>
    public ColumnBuilder(string name, int capacity = 0)
    {
        this.name = name;
        this.capacity = Math.Max(16, capacity);
        lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Appends a missing value.</summary>
    public void AddMissing()
    {
        missing++;
        switch (kind)
        {
            case ColumnKind.Numeric: Grow(ref numbers); numbers[length] = double.NaN; break;
            case ColumnKind.Date: Grow(ref ticks); ticks[length] = TableColumn.MissingTicks; break;
            case ColumnKind.Text: Grow(ref codes); codes[length] = -1; break;
        }
        length++;
    }

    /// <summary>Appends a present value (already trimmed, not an NA token).</summary>
    public void Add(ReadOnlySpan<char> text)
    {
        // The usual cases first, without a call: another number in a numeric column, a known value in a text column.
        if (kind == ColumnKind.Numeric)
        {
            if ((uint)length < (uint)numbers.Length && TextValues.TryParseNumber(text, out double d))
            {
                numbers[length++] = d;
                Observe(d);
                return;
            }
        }
        else if (kind == ColumnKind.Text && (uint)length < (uint)codes.Length && lookup.TryGetValue(text, out int code))
        {
            codes[length++] = code;
            return;
        }
        if (kind == ColumnKind.Empty)
        {
            kind = TextValues.TryParseNumber(text, out _) ? ColumnKind.Numeric
                : TextValues.TryParseDate(text, out _) ? ColumnKind.Date
                : ColumnKind.Text;
            Backfill();
        }
        if (kind == ColumnKind.Numeric)
        {
            if (TextValues.TryParseNumber(text, out double d)) { AddNumber(d); return; }
            ToText();
        }
        else if (kind == ColumnKind.Date)
        {
            if (TextValues.TryParseDate(text, out var t)) { AddDate(t); return; }
            ToText();
        }
        AddText(text);
    }

    /// <summary>Appends a number (Parquet's typed columns); NaN counts as missing.</summary>
    public void AddNumber(double value)
    {
        if (double.IsNaN(value)) { AddMissing(); return; }
        if (kind == ColumnKind.Empty) { kind = ColumnKind.Numeric; Backfill(); }
        if (kind != ColumnKind.Numeric) { AddText(TextValues.NumberText(value)); return; }
        Grow(ref numbers);
        numbers[length++] = value;
        Observe(value);
    }

    /// <summary>Keeps the integer flag and the distinct count of a numeric column up to date.</summary>
    private void Observe(double value)
    {
        if (allIntegers && (value != Math.Floor(value) || Math.Abs(value) > 9007199254740992.0)) allIntegers = false;
        if (!distinct.IsFull) distinct.Add(BitConverter.DoubleToInt64Bits(value == 0 ? 0 : value));
    }

    /// <summary>Appends a date (Parquet's typed columns).</summary>
    public void AddDate(DateTime value)
    {
        if (kind == ColumnKind.Empty) { kind = ColumnKind.Date; Backfill(); }
        if (kind != ColumnKind.Date) { AddText(TextValues.DateText(value)); return; }
        Grow(ref ticks);
        ticks[length++] = value.Ticks;
        distinct.Add(value.Ticks);
    }

    public TableColumn Build() => new(name, kind, length,
        kind == ColumnKind.Numeric ? Fitted(numbers) : null,
        kind == ColumnKind.Date ? Fitted(ticks) : null,
        kind == ColumnKind.Text ? Fitted(codes) : null,
        [.. levels], missing, kind == ColumnKind.Numeric && allIntegers, Math.Min(distinct.Count, TableColumn.DistinctCap + 1));

    /// <summary>
    /// The storage, cut to the rows when the capacity guessed up front was more than twice too high (more than growing
    /// by doubling would have left unused), so a bad guess costs time once, not memory for the table's life.
    /// </summary>
    private T[] Fitted<T>(T[] array) => array.Length > 2L * length + 16 ? array[..length] : array;

    private void AddText(ReadOnlySpan<char> text)
    {
        Grow(ref codes);
        codes[length++] = Intern(text);
    }

    private int Intern(ReadOnlySpan<char> text)
    {
        if (lookup.TryGetValue(text, out int code)) return code;
        // A new value: store it in its canonical spelling (numbers and dates respelled), shared by equal spellings.
        string canonical = TextValues.Canonical(text);
        if (!index.TryGetValue(canonical, out code))
        {
            code = levels.Count;
            levels.Add(canonical);
            index[canonical] = code;
        }
        if (!canonical.AsSpan().SequenceEqual(text)) index[text.ToString()] = code;
        return code;
    }

    /// <summary>The column has turned out to be text: respell the numbers or dates seen so far and intern them.</summary>
    private void ToText()
    {
        var newCodes = new int[Math.Max(codes.Length, Math.Max(numbers.Length, ticks.Length))];
        for (int i = 0; i < length; i++)
        {
            string? text = kind == ColumnKind.Numeric
                ? double.IsNaN(numbers[i]) ? null : TextValues.NumberText(numbers[i])
                : ticks[i] == TableColumn.MissingTicks ? null : TextValues.DateText(new DateTime(ticks[i], DateTimeKind.Utc));
            newCodes[i] = text is null ? -1 : Intern(text);
        }
        codes = newCodes;
        numbers = [];
        ticks = [];
        distinct.Clear();
        allIntegers = false;
        kind = ColumnKind.Text;
    }

    /// <summary>Writes the missing values seen while the column was still empty into the storage of its kind.</summary>
    private void Backfill()
    {
        switch (kind)
        {
            case ColumnKind.Numeric: numbers = GC.AllocateUninitializedArray<double>(Math.Max(capacity, length * 2)); numbers.AsSpan(0, length).Fill(double.NaN); break;
            case ColumnKind.Date: ticks = GC.AllocateUninitializedArray<long>(Math.Max(capacity, length * 2)); ticks.AsSpan(0, length).Fill(TableColumn.MissingTicks); break;
            case ColumnKind.Text: codes = GC.AllocateUninitializedArray<int>(Math.Max(capacity, length * 2)); codes.AsSpan(0, length).Fill(-1); break;
        }
    }

    private void Grow<T>(ref T[] array)
    {
        if (length < array.Length) return;
        // Every slot below the length is written before it is read, so the new storage need not be zeroed.
        var grown = GC.AllocateUninitializedArray<T>(Math.Max(16, array.Length * 2));
        array.AsSpan().CopyTo(grown);
        array = grown;
    }
}
