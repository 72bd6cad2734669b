using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Hooks;

/// <summary>Reduces tensors to the plain-number statistics the diagnostics report.</summary>
public static class TensorStats
{
    /// <summary>Mean and (unbiased) standard deviation of all elements of <paramref name="values"/>.</summary>
    /// <param name="values">Any non-empty tensor; it is not modified or kept.</param>
    public static (double Mean, double Std) MeanStd(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var d = values.detach();
        return (d.mean().ToDouble(), d.std().ToDouble());
    }

    /// <summary>Computes <see cref="ForwardStats"/> of <paramref name="values"/> right away.</summary>
    /// <param name="values">Any non-empty tensor; it is not modified or kept.</param>
    /// <param name="options">Threshold and histogram bins.</param>
    public static ForwardStats Measure(Tensor values, StatsOptions options)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(options);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var d = values.detach();
        long count = d.numel();
        if (count == 0) throw new ArgumentException("Cannot measure an empty tensor.", nameof(values));
        double mean = d.mean().ToDouble();
        double std = d.std().ToDouble();
        double nearZero = d.abs().lt(options.NearZeroThreshold).sum().ToDouble() / count;
        double[] histogram = options.Histogram is { } range ? Histogram(d, range) : [];
        return new ForwardStats(mean, std, nearZero, histogram, count);
    }

    /// <summary>Counts of <paramref name="values"/> per bin of <paramref name="range"/> (values outside are dropped).</summary>
    /// <param name="values">Any tensor; it is not modified or kept.</param>
    /// <param name="range">The bins.</param>
    public static double[] Histogram(Tensor values, HistogramRange range)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(range);
        range.Validate();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        // histc takes integral limits in TorchSharp, so map [Min, Max] onto [0, Bins] first.
        var scaled = values.detach().to(ScalarType.Float64).sub(range.Min).mul(range.Bins / (range.Max - range.Min));
        var counts = scaled.histc(range.Bins, 0, range.Bins);
        return counts.to(ScalarType.Float64).data<double>().ToArray();
    }
}
