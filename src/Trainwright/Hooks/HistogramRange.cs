namespace Trainwright.Hooks;

/// <summary>Equal-width histogram bins over [<see cref="Min"/>, <see cref="Max"/>]; values outside are not counted.</summary>
/// <param name="Bins">Number of bins (at least 1).</param>
/// <param name="Min">Lower edge of the first bin.</param>
/// <param name="Max">Upper edge of the last bin (inclusive), greater than <paramref name="Min"/>.</param>
public sealed record HistogramRange(int Bins, double Min, double Max)
{
    /// <summary>40 bins over [0, 10], the range used for ReLU activations in the fast.ai lessons.</summary>
    public static HistogramRange ReluDefault { get; } = new(40, 0, 10);

    /// <summary>Width of one bin.</summary>
    public double BinWidth => (Max - Min) / Bins;

    /// <summary>Throws when the range cannot be binned.</summary>
    /// <exception cref="ArgumentException">Bins &lt; 1 or Max ≤ Min.</exception>
    public void Validate()
    {
        if (Bins < 1) throw new ArgumentException($"A histogram needs at least 1 bin, got {Bins}.", nameof(Bins));
        if (!(Max > Min)) throw new ArgumentException($"Histogram Max ({Max}) must be greater than Min ({Min}).", nameof(Max));
    }
}
