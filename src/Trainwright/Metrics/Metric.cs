namespace Trainwright.Metrics;

/// <summary>A named metric, so statistics can be printed and plotted under its name.</summary>
/// <param name="Name">Short name shown in reports, e.g. "accuracy".</param>
/// <param name="Compute">Computes the batch mean of the metric.</param>
public sealed record Metric(string Name, MetricFunction Compute);
