namespace Trainwright.Inference;

/// <summary>
/// fastai's ClassificationInterpretation as data: accuracy and mean loss, per-class precision/recall/F1/support,
/// macro and support-weighted averages, the most confused pairs, the confusion matrix and the top losses. Build one
/// with <see cref="Interpretation"/>; write it with <see cref="EvaluationWriter"/>.
/// </summary>
public sealed class ClassificationReport
{
    internal ClassificationReport(IReadOnlyList<string> classes, int items, double accuracy, double meanLoss,
        IReadOnlyList<ClassMetrics> perClass, AveragedMetrics macro, AveragedMetrics weighted,
        IReadOnlyList<ConfusedPair> mostConfused, ConfusionMatrix confusion, IReadOnlyList<TopLoss> topLosses)
    {
        Classes = classes;
        Items = items;
        Accuracy = accuracy;
        MeanLoss = meanLoss;
        PerClass = perClass;
        Macro = macro;
        Weighted = weighted;
        MostConfused = mostConfused;
        Confusion = confusion;
        TopLosses = topLosses;
    }

    /// <summary>Class names, by index.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Number of items evaluated.</summary>
    public int Items { get; }

    /// <summary>Fraction of items predicted correctly.</summary>
    public double Accuracy { get; }

    /// <summary>Mean cross-entropy loss over the items.</summary>
    public double MeanLoss { get; }

    /// <summary>Scores of every class, by index.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; }

    /// <summary>Unweighted mean over the classes that occur as a target or a prediction (scikit-learn's default labels).</summary>
    public AveragedMetrics Macro { get; }

    /// <summary>Mean over classes weighted by support.</summary>
    public AveragedMetrics Weighted { get; }

    /// <summary>The most frequent (actual, predicted) mistakes, most frequent first.</summary>
    public IReadOnlyList<ConfusedPair> MostConfused { get; }

    /// <summary>Counts of every (actual, predicted) pair.</summary>
    public ConfusionMatrix Confusion { get; }

    /// <summary>The items with the highest loss, highest first.</summary>
    public IReadOnlyList<TopLoss> TopLosses { get; }
}
