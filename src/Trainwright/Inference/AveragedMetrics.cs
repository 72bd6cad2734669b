namespace Trainwright.Inference;

/// <summary>Precision, recall and F1 averaged over classes.</summary>
/// <param name="Precision">Averaged precision.</param>
/// <param name="Recall">Averaged recall.</param>
/// <param name="F1">Averaged F1 (the average of the per-class F1s, as scikit-learn does).</param>
public sealed record AveragedMetrics(double Precision, double Recall, double F1);
