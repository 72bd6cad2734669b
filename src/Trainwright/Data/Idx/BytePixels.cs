using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>
/// The float images of 8-bit IDX pixels in one pass: a byte has 256 values, so the mean and standard deviation of a
/// set come exactly from its histogram (counted before libtorch is needed, while it loads on another thread at
/// start-up), and scaling to [0, 1] and normalising are one lookup per pixel. The general route (convert, divide, two
/// reductions, subtract, divide) reads and writes the 190 MB of MNIST's floats six times.
/// </summary>
internal static class BytePixels
{
    /// <summary>
    /// Mean and (unbiased, as <c>Tensor.std()</c>) standard deviation of <paramref name="count"/> pixels from
    /// <paramref name="start"/>, in [0, 1] units (pixel / 255).
    /// </summary>
    public static (float Mean, float Std) Stats(byte[] pixels, long start, long count)
    {
        var histogram = Histogram(pixels.AsSpan().Slice(checked((int)start), checked((int)count)));
        double sum = 0;
        for (int v = 0; v < 256; v++) sum += histogram[v] * (double)v;
        double mean = sum / count / 255;
        double squares = 0;
        for (int v = 0; v < 256; v++)
        {
            double d = v / 255.0 - mean;
            squares += histogram[v] * d * d;
        }
        double std = count > 1 ? Math.Sqrt(squares / (count - 1)) : double.NaN;
        return ((float)mean, (float)std);
    }

    /// <summary>
    /// A new float32 tensor [<paramref name="rows"/>, <paramref name="rowLength"/>] of the pixels from row
    /// <paramref name="startRow"/>: each pixel / 255, then, when <paramref name="normalize"/> is given, minus its mean
    /// and divided by its std, with the same float32 operations in the same order as the tensor route.
    /// </summary>
    public static unsafe Tensor ToFloat(byte[] pixels, int startRow, int rows, int rowLength, (float Mean, float Std)? normalize)
    {
        var lookup = new float[256];
        for (int v = 0; v < 256; v++)
        {
            float x = v / 255f;
            lookup[v] = normalize is var (mean, std) ? (x - mean) / std : x;
        }
        var result = empty(rows, rowLength);
        float* to;
        using (NewDisposeScope()) to = (float*)RowCopy.BasePointer(result);
        long first = (long)startRow * rowLength, total = (long)rows * rowLength;
        // Two or more parts when the work is worth a thread; each part is a contiguous run of pixels.
        int parts = total >= 1 << 20 ? Math.Min(Environment.ProcessorCount, 8) : 1;
        long per = (total + parts - 1) / parts;
        Parallel.For(0, parts, p =>
        {
            long from = p * per, end = Math.Min(total, from + per);
            fixed (byte* source = pixels)
            fixed (float* table = lookup)
            {
                byte* s = source + first;
                for (long i = from; i < end; i++) to[i] = table[s[i]];
            }
        });
        return result;
    }

    private static long[] Histogram(ReadOnlySpan<byte> values)
    {
        // Four interleaved tables, so consecutive equal bytes (long runs of 0 in MNIST) do not wait on one counter.
        var counts = new long[4 * 256];
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            counts[values[i]]++;
            counts[256 + values[i + 1]]++;
            counts[512 + values[i + 2]]++;
            counts[768 + values[i + 3]]++;
        }
        for (; i < values.Length; i++) counts[values[i]]++;
        var histogram = new long[256];
        for (int v = 0; v < 256; v++) histogram[v] = counts[v] + counts[256 + v] + counts[512 + v] + counts[768 + v];
        return histogram;
    }
}
