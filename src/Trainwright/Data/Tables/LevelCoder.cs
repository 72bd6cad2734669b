namespace Trainwright.Data.Tables;

/// <summary>
/// Column values as categories without formatting a string per row: text columns map their codes through one array,
/// numeric columns format each distinct number once.
/// </summary>
internal static class LevelCoder
{
    /// <summary>The index of each row's canonical text in <paramref name="index"/>; −1 when missing or not in it.</summary>
    public static Func<int, int> For(TableColumn column, IReadOnlyDictionary<string, int> index)
    {
        switch (column.Kind)
        {
            case ColumnKind.Text:
                var map = column.Levels.Select(l => index.TryGetValue(l, out int i) ? i : -1).ToArray();
                return r => column.CodeAt(r) is int c and >= 0 ? map[c] : -1;
            case ColumnKind.Numeric:
                var cache = new Dictionary<double, int>();
                return r =>
                {
                    double v = column.NumberAt(r);
                    if (double.IsNaN(v)) return -1;
                    if (!cache.TryGetValue(v, out int code))
                        cache[v] = code = index.TryGetValue(TextValues.NumberText(v), out int i) ? i : -1;
                    return code;
                };
            default:
                return r => column.TextAt(r) is { } t && index.TryGetValue(t, out int i) ? i : -1;
        }
    }

    /// <summary>The distinct canonical texts of <paramref name="rows"/>, sorted numerically when all are numbers, else ordinally.</summary>
    public static List<string> SortedDistinct(TableColumn column, IReadOnlyList<int> rows)
    {
        if (column.Kind == ColumnKind.Numeric)
        {
            var numbers = new HashSet<double>();
            foreach (int r in rows) if (!double.IsNaN(column.NumberAt(r))) numbers.Add(column.NumberAt(r));
            return [.. numbers.Order().Select(TextValues.NumberText)];
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (column.Kind == ColumnKind.Text)
        {
            var used = new bool[column.Levels.Count];
            foreach (int r in rows) if (column.CodeAt(r) is int c and >= 0) used[c] = true;
            for (int c = 0; c < used.Length; c++) if (used[c]) seen.Add(column.Levels[c]);
        }
        else
        {
            foreach (int r in rows) if (column.TextAt(r) is { } t) seen.Add(t);
        }
        return seen.All(s => TextValues.TryParseNumber(s, out _))
            ? [.. seen.OrderBy(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]
            : [.. seen.Order(StringComparer.Ordinal)];
    }

    /// <summary>The median by selection (linear time); NaN when empty. Reorders <paramref name="values"/>.</summary>
    public static double Median(Span<double> values)
    {
        int n = values.Length;
        if (n == 0) return double.NaN;
        double upper = Select(values, n / 2);
        if (n % 2 == 1) return upper;
        // After selecting k, everything left of k is ≤ it: the lower middle is the largest of that part.
        double lower = double.NegativeInfinity;
        foreach (double v in values[..(n / 2)]) if (v > lower) lower = v;
        return (lower + upper) / 2;
    }

    /// <summary>Hoare's quickselect: puts the k-th smallest at index k, smaller ones left of it, and returns it.</summary>
    private static double Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (lo < hi)
        {
            double pivot = a[lo + (hi - lo) / 2];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return a[k];
    }
}
