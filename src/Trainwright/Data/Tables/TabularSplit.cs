namespace Trainwright.Data.Tables;

/// <summary>The three ways of choosing validation rows.</summary>
internal static class TabularSplit
{
    private static readonly string[] ValidWords = ["valid", "validation", "val", "test", "true", "1", "yes"];
    private static readonly string[] TrainWords = ["train", "training", "false", "0", "no"];

    /// <summary>
    /// Random share <paramref name="pct"/> of <paramref name="rows"/>; within each stratum when <paramref name="strata"/>
    /// (one per row) is given. Strata are taken in ascending order, each shuffled in turn by one seeded generator.
    /// </summary>
    public static (int[] Train, int[] Valid) Random(IReadOnlyList<int> rows, double pct, int seed, IReadOnlyList<int>? strata)
    {
        var rng = new System.Random(seed);
        var valid = new List<int>();
        foreach (var group in strata is null ? [rows.ToArray()] : Groups(rows, strata))
        {
            rng.Shuffle(group);
            valid.AddRange(group.Take((int)Math.Round(pct * group.Length, MidpointRounding.AwayFromZero)));
        }
        var isValid = new bool[rows.Count == 0 ? 0 : rows.Max() + 1];
        foreach (int r in valid) isValid[r] = true;
        var train = new int[rows.Count - valid.Count];
        int n = 0;
        foreach (int r in rows) if (!isValid[r]) train[n++] = r;
        // The validation rows in ascending order, without a sort.
        var sorted = new int[valid.Count];
        n = 0;
        for (int r = 0; r < isValid.Length; r++) if (isValid[r]) sorted[n++] = r;
        return (train, sorted);
    }

    /// <summary>The rows of each stratum, in row order, strata in ascending order (a counting sort).</summary>
    private static List<int[]> Groups(IReadOnlyList<int> rows, IReadOnlyList<int> strata)
    {
        int min = strata.Min(), max = strata.Max();
        var sizes = new int[max - min + 1];
        foreach (int s in strata) sizes[s - min]++;
        var groups = sizes.Select(size => new int[size]).ToArray();
        var filled = new int[sizes.Length];
        for (int i = 0; i < rows.Count; i++)
        {
            int g = strata[i] - min;
            groups[g][filled[g]++] = rows[i];
        }
        return [.. groups.Where(g => g.Length > 0)];
    }

    /// <summary>The last <paramref name="n"/> rows are validation.</summary>
    public static (int[] Train, int[] Valid) Last(IReadOnlyList<int> rows, int n) =>
        ([.. rows.Take(rows.Count - n)], [.. rows.Skip(rows.Count - n)]);

    /// <summary>Rows whose <paramref name="column"/> says valid.</summary>
    public static (int[] Train, int[] Valid) ByColumn(Table table, TableColumn column, IReadOnlyList<int> rows)
    {
        var train = new List<int>();
        var valid = new List<int>();
        foreach (int r in rows)
        {
            var text = column.TextAt(r);
            if (text is not null && ValidWords.Contains(text, StringComparer.OrdinalIgnoreCase)) valid.Add(r);
            else if (text is not null && TrainWords.Contains(text, StringComparer.OrdinalIgnoreCase)) train.Add(r);
            else
                throw new TabularDataException(
                    $"{table.Source}: validation column '{column.Name}' has '{text ?? "(missing)"}' in {table.Locate(r)}; use true/1/valid for validation rows and false/0/train for training rows.");
        }
        return ([.. train], [.. valid]);
    }
}
