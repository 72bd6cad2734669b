namespace Trainwright.Hooks;

/// <summary>What a <see cref="StatsHook"/> measures on each forward.</summary>
public sealed record StatsOptions
{
    /// <summary>Values with |x| below this count as "near zero" (0.01 by default; a dead ReLU output is exactly 0).</summary>
    public double NearZeroThreshold { get; init; } = 0.01;

    /// <summary>The histogram bins; null records no histogram. Defaults to <see cref="HistogramRange.ReluDefault"/>.</summary>
    public HistogramRange? Histogram { get; init; } = HistogramRange.ReluDefault;

    /// <summary>Defaults: threshold 0.01, 40 bins over [0, 10].</summary>
    public static StatsOptions Default { get; } = new();
}
