namespace Trainwright.Data.Tables;

/// <summary>The three ways of choosing validation rows.</summary>
internal static class TabularSplit
{
    private static readonly string[] ValidWords = ["valid", "validation", "val", "test", "true", "1", "yes"];
    private static readonly string[] TrainWords = ["train", "training", "false", "0", "no"];

    /// <summary>Random share <paramref name="pct"/> of <paramref name="rows"/>; within each stratum when <paramref name="strata"/> is given.</summary>
    public static (int[] Train, int[] Valid) Random(IReadOnlyList<int> rows, double pct, int seed, IReadOnlyList<long>? strata)
    {
        var rng = new System.Random(seed);
        var valid = new List<int>();
        var groups = strata is null
            ? [rows.ToArray()]
            : rows.Select((r, i) => (r, s: strata[i])).GroupBy(p => p.s).OrderBy(g => g.Key).Select(g => g.Select(p => p.r).ToArray()).ToList();
        foreach (var group in groups)
        {
            rng.Shuffle(group);
            valid.AddRange(group.Take((int)Math.Round(pct * group.Length, MidpointRounding.AwayFromZero)));
        }
        var isValid = valid.ToHashSet();
        valid.Sort();
        return ([.. rows.Where(r => !isValid.Contains(r))], [.. valid]);
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
