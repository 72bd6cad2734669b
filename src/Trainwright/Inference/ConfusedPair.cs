namespace Trainwright.Inference;

/// <summary>How often items of one class were predicted as another.</summary>
/// <param name="Actual">Target class index.</param>
/// <param name="Predicted">Predicted class index (never equal to <paramref name="Actual"/>).</param>
/// <param name="ActualName">Target class name.</param>
/// <param name="PredictedName">Predicted class name.</param>
/// <param name="Count">Number of such items.</param>
public sealed record ConfusedPair(int Actual, int Predicted, string ActualName, string PredictedName, int Count);
