using static TorchSharp.torch;

namespace Trainwright.Metrics;

/// <summary>
/// Computes a metric of one batch: model output and targets in, a 0-d tensor out (averaged over the batch, so a
/// caller can weight it by batch size to average over a whole epoch).
/// </summary>
/// <param name="pred">The model's output for a batch, batch first.</param>
/// <param name="target">The batch's targets, batch first.</param>
/// <returns>A 0-d tensor holding the batch's mean value of the metric.</returns>
public delegate Tensor MetricFunction(Tensor pred, Tensor target);
