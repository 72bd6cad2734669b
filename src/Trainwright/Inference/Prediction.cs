namespace Trainwright.Inference;

/// <summary>One item's prediction.</summary>
/// <param name="Index">Index of the most probable class (-1 for regression).</param>
/// <param name="Label">Name of the most probable class (empty for regression).</param>
/// <param name="Probability">Probability of that class (NaN for regression).</param>
/// <param name="Probabilities">Softmax probability of every class, in class order (empty for regression).</param>
/// <param name="Outputs">The model's raw outputs: logits for classification, the predicted values for regression
/// in the model's (scaled) units.</param>
public sealed record Prediction(int Index, string Label, float Probability, IReadOnlyList<float> Probabilities, IReadOnlyList<float> Outputs)
{
    /// <summary>
    /// Regression: every output in the target's own units (the training scaling undone, see
    /// <see cref="TargetDescription.Scaling"/>); empty for classification.
    /// </summary>
    public IReadOnlyList<double> Values { get; init; } = [];

    /// <summary>Regression: the first output in the target's units (<see cref="Values"/>[0]); NaN for classification.</summary>
    public double Value => Values.Count > 0 ? Values[0] : double.NaN;

    /// <summary>The <paramref name="k"/> most probable classes, most probable first.</summary>
    public IReadOnlyList<(int Index, float Probability)> Top(int k) =>
        [.. Probabilities.Select((p, i) => (Index: i, Probability: p)).OrderByDescending(t => t.Probability).ThenBy(t => t.Index).Take(Math.Max(0, k))];
}
