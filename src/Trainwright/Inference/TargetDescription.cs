using Trainwright.Data.Tables;

namespace Trainwright.Inference;

/// <summary>
/// What the model predicts: class names (output i is the logit of class i) or the names of regression outputs, with
/// the scaling that maps the model's regression outputs back to the user's units.
/// </summary>
/// <param name="Kind">Classification or regression.</param>
/// <param name="Names">Class names, or output names; one per model output.</param>
public sealed record TargetDescription(TargetKind Kind, IReadOnlyList<string> Names)
{
    /// <summary>
    /// For regression: how targets were scaled for training (log, mean, std). A prediction's
    /// <see cref="Prediction.Values"/> are the outputs mapped back by <see cref="TargetScaling.FromModel(double)"/>;
    /// null means the outputs are already in the target's units.
    /// </summary>
    public TargetScaling? Scaling { get; init; }

    /// <summary>The target of a fitted table preprocessing: its classes, or its regression target and scaling.</summary>
    public static TargetDescription ForTable(TabularPreprocessor preprocessor)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        return preprocessor.Task == TabularTask.Classify
            ? Classes(preprocessor.Classes)
            : Regression(preprocessor.Target) with
            {
                Scaling = preprocessor.TargetScaling ?? throw new ArgumentException("A regression preprocessing needs its target scaling.", nameof(preprocessor)),
            };
    }

    /// <summary>A regression output's value in the target's units (<see cref="Scaling"/> undone).</summary>
    public double ToTargetUnits(double output) => Scaling is { } s ? s.FromModel(output) : output;

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

    /// <summary>Regression with one named value per output (already in the target's units; set <see cref="Scaling"/> otherwise).</summary>
    public static TargetDescription Regression(params string[] outputs) =>
        outputs is null || outputs.Length == 0 ? throw new ArgumentException("A regression model needs at least one output name.", nameof(outputs))
                                               : new(TargetKind.Regression, outputs);

    /// <summary>Number of model outputs.</summary>
    public int Count => Names.Count;
}
