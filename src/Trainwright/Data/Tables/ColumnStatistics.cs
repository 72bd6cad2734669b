using System.Buffers;

namespace Trainwright.Data.Tables;

/// <summary>The statistics FillMissing and Normalize fit: median by selection, mean and standard deviation.</summary>
internal static class ColumnStatistics
{
    /// <summary>Below this many values the median is a plain quickselect of a copy.</summary>
    internal const int SampledFrom = 16_384;

    private const int SampleSize = 4096;

    /// <summary>
    /// The median (the mean of the two middle values for an even count); NaN when empty. The values must not be NaN.
    /// Exact, in linear time: a quickselect of a copy for few values; for many, a sorted stride sample brackets the
    /// middle, one pass counts the values below the bracket and copies those inside it, and a quickselect of that small
    /// copy finishes. When the bracket misses the middle (data the sample misrepresents), it falls back to the plain way.
    /// </summary>
    public static double Median(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n == 0) return double.NaN;
        int upperRank = n / 2, lowerRank = (n - 1) / 2;
        if (n >= SampledFrom && MiddleFromSample(values, lowerRank, upperRank) is { } bracketed) return bracketed;
        return Middle(values.ToArray(), lowerRank, upperRank);
    }

    /// <summary>
    /// Mean and population standard deviation of <paramref name="values"/> together with <paramref name="fillCount"/>
    /// copies of <paramref name="fill"/> (FillMissing's median), in two passes: the mean, then the squared deviations
    /// from it, each summed over four interleaved accumulators.
    /// </summary>
    public static (double Mean, double Std) MeanStd(ReadOnlySpan<double> values, double fill = 0, int fillCount = 0)
    {
        long n = values.Length + (long)fillCount;
        if (n == 0) return (0, 0);
        double mean = (Sum(values) + fill * fillCount) / n;
        double squares = SquaredDeviations(values, mean) + (fill - mean) * (fill - mean) * fillCount;
        return (mean, Math.Sqrt(squares / n));
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        double a = 0, b = 0, c = 0, d = 0;
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            a += values[i];
            b += values[i + 1];
            c += values[i + 2];
            d += values[i + 3];
        }
        for (; i < values.Length; i++) a += values[i];
        return (a + b) + (c + d);
    }

    private static double SquaredDeviations(ReadOnlySpan<double> values, double mean)
    {
        double a = 0, b = 0, c = 0, d = 0;
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            double x = values[i] - mean, y = values[i + 1] - mean, z = values[i + 2] - mean, w = values[i + 3] - mean;
            a += x * x;
            b += y * y;
            c += z * z;
            d += w * w;
        }
        for (; i < values.Length; i++) a += (values[i] - mean) * (values[i] - mean);
        return (a + b) + (c + d);
    }

    /// <summary>The lower and upper middle ranks' mean, from a quickselect of <paramref name="a"/> (reordered).</summary>
    private static double Middle(Span<double> a, int lowerRank, int upperRank)
    {
        double upper = Select(a, upperRank);
        if (lowerRank == upperRank) return upper;
        // After selecting the upper rank, everything left of it is ≤ it: the lower middle is the largest of that part.
        double lower = double.NegativeInfinity;
        foreach (double v in a[..upperRank]) if (v > lower) lower = v;
        return (lower + upper) / 2;
    }

    private static double? MiddleFromSample(ReadOnlySpan<double> values, int lowerRank, int upperRank)
    {
        int n = values.Length;
        var sample = new double[SampleSize];
        for (int i = 0; i < sample.Length; i++) sample[i] = values[(int)((long)i * n / SampleSize)];
        Array.Sort(sample);
        // The population median's rank in a sample of m has a standard deviation of √m / 2 = 32: ±160 is 5 of them.
        const int Margin = 160;
        double low = sample[SampleSize / 2 - Margin], high = sample[SampleSize / 2 + Margin];
        // Expected about n · 2 · 160 / 4096 = n / 13 values inside; room for twice that.
        int capacity = n / 6;
        var inside = ArrayPool<double>.Shared.Rent(capacity + 1);
        try
        {
            int below = 0, count = 0;
            foreach (double v in values)
            {
                // Without branches on the comparisons: about half the values fall below the bracket, unpredictably.
                below += v < low ? 1 : 0;
                inside[count] = v;
                count += (v >= low ? 1 : 0) & (v <= high ? 1 : 0);
                if (count > capacity) return null;
            }
            if (lowerRank < below || upperRank >= below + count) return null;
            return Middle(inside.AsSpan(0, count), lowerRank - below, upperRank - below);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(inside);
        }
    }


    /// <summary>Hoare's quickselect: puts the k-th smallest at index k, smaller ones left of it, and returns it.</summary>
    private static double Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (lo < hi)
        {
            double pivot = a[lo + (hi - lo) / 2];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return a[k];
    }
}
