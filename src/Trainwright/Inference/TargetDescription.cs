namespace Trainwright.Inference;

/// <summary>What the model predicts: class names (output i is the logit of class i) or the names of regression outputs.</summary>
/// <param name="Kind">Classification or regression.</param>
/// <param name="Names">Class names, or output names; one per model output.</param>
public sealed record TargetDescription(TargetKind Kind, IReadOnlyList<string> Names)
{
    /// <summary>Classification into the named classes.</summary>
    public static TargetDescription Classes(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var list = names.ToList();
        if (list.Count == 0) throw new ArgumentException("A classifier needs at least one class name.", nameof(names));
        var duplicate = list.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Class name '{duplicate.Key}' appears more than once.", nameof(names));
        return new(TargetKind.Classification, list);
    }

    /// <summary>Classification into <paramref name="count"/> classes named by their index ("0", "1", …), as for MNIST digits.</summary>
    public static TargetDescription NumberedClasses(int count) =>
        count < 1 ? throw new ArgumentOutOfRangeException(nameof(count), count, "A classifier needs at least one class.")
                  : Classes(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Regression with one named value per output.</summary>
    public static TargetDescription Regression(params string[] outputs) =>
        outputs is null || outputs.Length == 0 ? throw new ArgumentException("A regression model needs at least one output name.", nameof(outputs))
                                               : new(TargetKind.Regression, outputs);

    /// <summary>Number of model outputs.</summary>
    public int Count => Names.Count;
}
