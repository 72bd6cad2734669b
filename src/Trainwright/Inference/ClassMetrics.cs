namespace Trainwright.Inference;

/// <summary>One class's scores. Precision is 0 when the class was never predicted, recall 0 when it never occurs.</summary>
/// <param name="Index">Class index.</param>
/// <param name="Name">Class name.</param>
/// <param name="Precision">Correct predictions of the class over all predictions of it.</param>
/// <param name="Recall">Correct predictions of the class over its items.</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">Items whose target is this class.</param>
/// <param name="Predicted">Items predicted as this class.</param>
public sealed record ClassMetrics(int Index, string Name, double Precision, double Recall, double F1, int Support, int Predicted);
