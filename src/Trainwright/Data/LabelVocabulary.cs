namespace Trainwright.Data;

/// <summary>
/// Maps raw label values to class indexes 0..C-1 through the sorted set of values present, so C is the number of distinct
/// labels (not the largest label plus one) and is bounded before anything is sized from it.
/// </summary>
internal sealed class LabelVocabulary
{
    private readonly Dictionary<int, int> index;

    private LabelVocabulary(int[] labels)
    {
        Labels = labels;
        index = new Dictionary<int, int>(labels.Length);
        for (int i = 0; i < labels.Length; i++) index[labels[i]] = i;
    }

    /// <summary>The label value of each class, ascending (or as fixed by the caller).</summary>
    public IReadOnlyList<int> Labels { get; }

    public int IndexOf(int label) => index[label];

    /// <summary>The vocabulary of <paramref name="sets"/>, or the fixed one of <paramref name="options"/> checked against them.</summary>
    /// <exception cref="InvalidDataException">More distinct labels than <see cref="MnistOptions.MaxClasses"/>, fewer than two,
    /// or a label outside the fixed vocabulary.</exception>
    public static LabelVocabulary Build(MnistOptions options, params (string Path, int[] Values)[] sets)
    {
        if (options.ClassLabels is { } fixedLabels)
        {
            var vocabulary = new LabelVocabulary([.. fixedLabels]);
            foreach (var (path, values) in sets)
                foreach (var v in values)
                    if (!vocabulary.index.ContainsKey(v))
                        throw new InvalidDataException(
                            $"'{path}' holds the label {v}, which is not one of the {fixedLabels.Count} classes given ({Preview(fixedLabels)}); "
                            + "use data with the same classes.");
            return vocabulary;
        }
        if (options.MaxClasses < 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxClasses, "MaxClasses must be at least 2.");
        var seen = new HashSet<int>();
        foreach (var (path, values) in sets)
            foreach (var v in values)
                if (seen.Add(v) && seen.Count > options.MaxClasses)
                    throw new InvalidDataException(
                        $"'{path}' holds more than {options.MaxClasses} distinct labels (the limit on classes); "
                        + "check the label files, or raise the limit (--max-classes) if the data really has that many classes.");
        if (seen.Count < 2)
            throw new InvalidDataException(
                $"The label files ({string.Join(", ", sets.Select(s => $"'{s.Path}'"))}) hold {(seen.Count == 0 ? "no labels" : $"only the label {seen.First()}")}; "
                + "a classifier needs at least two classes.");
        var labels = seen.ToArray();
        Array.Sort(labels);
        return new LabelVocabulary(labels);
    }

    /// <summary>Items per class in <paramref name="values"/>.</summary>
    public static int[] Count(LabelVocabulary vocabulary, int[] values)
    {
        var counts = new int[vocabulary.Labels.Count];
        foreach (var v in values) counts[vocabulary.IndexOf(v)]++;
        return counts;
    }

    private static string Preview(IReadOnlyList<int> labels) =>
        string.Join(", ", labels.Take(10)) + (labels.Count > 10 ? ", …" : "");
}
