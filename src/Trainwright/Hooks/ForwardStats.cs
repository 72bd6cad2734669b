namespace Trainwright.Hooks;

/// <summary>Statistics of one module output on one forward, as plain numbers (no tensor is kept).</summary>
/// <param name="Mean">Mean of all elements.</param>
/// <param name="Std">Standard deviation of all elements (unbiased, as <c>Tensor.std()</c>).</param>
/// <param name="NearZeroFraction">Fraction of elements with |x| below the threshold in <see cref="StatsOptions"/>.</param>
/// <param name="Histogram">Counts per bin of the configured <see cref="HistogramRange"/>; empty when none was asked for.</param>
/// <param name="Count">Number of elements measured.</param>
public sealed record ForwardStats(double Mean, double Std, double NearZeroFraction, double[] Histogram, long Count);
