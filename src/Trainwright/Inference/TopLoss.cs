namespace Trainwright.Inference;

/// <summary>One of the items the model got most wrong (highest cross-entropy loss).</summary>
/// <param name="Item">Position of the item in the evaluated data.</param>
/// <param name="Actual">Target class index.</param>
/// <param name="Predicted">Predicted class index.</param>
/// <param name="ActualName">Target class name.</param>
/// <param name="PredictedName">Predicted class name.</param>
/// <param name="Loss">Cross-entropy loss of the item, −log p(actual).</param>
/// <param name="Probability">Probability the model gave its predicted class.</param>
public sealed record TopLoss(int Item, int Actual, int Predicted, string ActualName, string PredictedName, double Loss, double Probability);
