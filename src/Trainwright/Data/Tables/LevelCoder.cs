namespace Trainwright.Data.Tables;

/// <summary>
/// Maps a column's values to indices into a list of levels (canonical texts) without formatting a string per row: a
/// text column maps its codes through one array, whole numbers in a small range through an array indexed by value,
/// other numbers through one hash lookup, dates through their ticks. A value matches a level when it reads as the same
/// number (or date, or text) the level spells.
/// </summary>
internal sealed class LevelCoder
{
    /// <summary>Above this many possible values a column of whole numbers is coded by hash lookup instead of an array.</summary>
    private const long MaxArrayRange = 1 << 16;

    private readonly TableColumn column;
    private readonly int[]? byTextCode;
    private readonly int[]? byInteger;
    private readonly long min;
    private readonly Dictionary<double, int>? byNumber;
    private readonly Dictionary<string, int>? byText;
    private readonly Dictionary<long, int>? byTicks;

    /// <summary>A coder of <paramref name="column"/>'s values into <paramref name="index"/> (canonical level text → index).</summary>
    public LevelCoder(TableColumn column, IReadOnlyDictionary<string, int> index)
    {
        this.column = column;
        switch (column.Kind)
        {
            case ColumnKind.Text:
                byTextCode = [.. column.Levels.Select(l => index.TryGetValue(l, out int i) ? i : -1)];
                break;
            case ColumnKind.Numeric when column.IntegerRange is var (lo, hi) && hi - lo < MaxArrayRange:
                min = lo;
                byInteger = new int[hi - lo + 1];
                byInteger.AsSpan().Fill(-1);
                foreach (var (text, i) in index)
                    if (TextValues.TryParseNumber(text, out double d) && d == Math.Floor(d) && d >= lo && d <= hi)
                        byInteger[(long)d - lo] = i;
                break;
            case ColumnKind.Numeric:
                byNumber = [];
                foreach (var (text, i) in index)
                    if (TextValues.TryParseNumber(text, out double d)) byNumber[d] = i;
                break;
            case ColumnKind.Date:
                byText = new Dictionary<string, int>(index, StringComparer.Ordinal);
                byTicks = [];
                break;
        }
    }

    /// <summary>A coder into <paramref name="levels"/>, whose position is the index.</summary>
    public static LevelCoder For(TableColumn column, IReadOnlyList<string> levels)
    {
        var index = new Dictionary<string, int>(levels.Count, StringComparer.Ordinal);
        for (int i = 0; i < levels.Count; i++) index.TryAdd(levels[i], i);
        return new LevelCoder(column, index);
    }

    /// <summary>Writes the index of each of <paramref name="rows"/>' values to <paramref name="codes"/>; −1 when missing or not a level.</summary>
    public void Codes(ReadOnlySpan<int> rows, Span<int> codes)
    {
        if (byTextCode is not null)
        {
            var source = column.Codes;
            for (int i = 0; i < rows.Length; i++)
            {
                int c = source[rows[i]];
                codes[i] = c < 0 ? -1 : byTextCode[c];
            }
        }
        else if (byInteger is not null)
        {
            // Every present value of the column is a whole number in [min, min + byInteger.Length).
            var numbers = column.Numbers;
            for (int i = 0; i < rows.Length; i++)
            {
                double v = numbers[rows[i]];
                codes[i] = double.IsNaN(v) ? -1 : byInteger[(long)v - min];
            }
        }
        else if (byNumber is not null)
        {
            var numbers = column.Numbers;
            for (int i = 0; i < rows.Length; i++)
            {
                double v = numbers[rows[i]];
                codes[i] = !double.IsNaN(v) && byNumber.TryGetValue(v, out int c) ? c : -1;
            }
        }
        else if (byTicks is not null)
        {
            var ticks = column.Ticks;
            lock (byTicks)
            {
                for (int i = 0; i < rows.Length; i++)
                {
                    long t = ticks[rows[i]];
                    if (t == TableColumn.MissingTicks) { codes[i] = -1; continue; }
                    if (!byTicks.TryGetValue(t, out int c))
                        byTicks[t] = c = byText!.TryGetValue(TextValues.DateText(new DateTime(t, DateTimeKind.Utc)), out int found) ? found : -1;
                    codes[i] = c;
                }
            }
        }
        else codes[..rows.Length].Fill(-1);
    }

    /// <summary>The distinct canonical texts of <paramref name="rows"/>, sorted numerically when all are numbers, else ordinally.</summary>
    public static List<string> SortedDistinct(TableColumn column, ReadOnlySpan<int> rows)
    {
        if (column.Kind == ColumnKind.Numeric)
        {
            var numbers = column.Numbers;
            if (column.IntegerRange is var (lo, hi) && hi - lo < MaxArrayRange)
            {
                var seen = new bool[hi - lo + 1];
                foreach (int r in rows)
                {
                    double v = numbers[r];
                    if (!double.IsNaN(v)) seen[(long)v - lo] = true;
                }
                var found = new List<string>();
                for (int k = 0; k < seen.Length; k++) if (seen[k]) found.Add(TextValues.NumberText(lo + k));
                return found;
            }
            var distinct = new HashSet<double>();
            foreach (int r in rows) if (!double.IsNaN(numbers[r])) distinct.Add(numbers[r]);
            return [.. distinct.Order().Select(TextValues.NumberText)];
        }
        var texts = new HashSet<string>(StringComparer.Ordinal);
        if (column.Kind == ColumnKind.Text)
        {
            var codes = column.Codes;
            var used = new bool[column.Levels.Count];
            foreach (int r in rows) if (codes[r] >= 0) used[codes[r]] = true;
            for (int c = 0; c < used.Length; c++) if (used[c]) texts.Add(column.Levels[c]);
        }
        else if (column.Kind == ColumnKind.Date)
        {
            var ticks = column.Ticks;
            var distinct = new HashSet<long>();
            foreach (int r in rows) if (ticks[r] != TableColumn.MissingTicks) distinct.Add(ticks[r]);
            foreach (long t in distinct) texts.Add(TextValues.DateText(new DateTime(t, DateTimeKind.Utc)));
        }
        return texts.All(s => TextValues.TryParseNumber(s, out _))
            ? [.. texts.OrderBy(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]
            : [.. texts.Order(StringComparer.Ordinal)];
    }
}
