using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Trainwright.Data.Images;

/// <summary>
/// Per-channel sums and sums of squares of one image's output pixels (0–255), counted while the decoder writes its
/// planes, so the training split's normalisation statistics need no second pass over the images.
/// </summary>
internal readonly record struct PixelSums(long R, long G, long B, long RR, long GG, long BB)
{
    /// <summary>Splits RGBA pixels (w × h, rows <paramref name="pitch"/> pixels apart) into three planes of h rows × <paramref name="stride"/> bytes
    /// (planes <paramref name="planeRows"/> rows apart) and sums them; <paramref name="equal"/> is true when R = G = B everywhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per image: a first decode should not run unoptimised code
    public static unsafe PixelSums FromRgba(byte* rgba, int w, int h, int pitch, byte* into, int stride, int planeRows, out bool equal)
    {
        long plane = (long)planeRows * stride;
        uint differ = 0;
        for (int y = 0; y < h; y++)
        {
            uint* src = (uint*)(rgba + 4L * pitch * y);
            byte* red = into + (long)y * stride, green = red + plane, blue = green + plane;
            int x = 0;
            if (Ssse3.IsSupported)
            {
                // 16 pixels at a time: each vector of 4 pixels is shuffled to RRRRGGGGBBBBAAAA, then the four are
                // transposed as 4×4 blocks of 32-bit lanes.
                var order = Vector128.Create((byte)0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
                var differs = Vector128<byte>.Zero;
                for (; x <= w - 16; x += 16)
                {
                    var v0 = Ssse3.Shuffle(Vector128.Load((byte*)(src + x)), order).AsUInt32();
                    var v1 = Ssse3.Shuffle(Vector128.Load((byte*)(src + x + 4)), order).AsUInt32();
                    var v2 = Ssse3.Shuffle(Vector128.Load((byte*)(src + x + 8)), order).AsUInt32();
                    var v3 = Ssse3.Shuffle(Vector128.Load((byte*)(src + x + 12)), order).AsUInt32();
                    var t0 = Sse2.UnpackLow(v0, v1).AsUInt64();
                    var t1 = Sse2.UnpackLow(v2, v3).AsUInt64();
                    var t2 = Sse2.UnpackHigh(v0, v1).AsUInt64();
                    var t3 = Sse2.UnpackHigh(v2, v3).AsUInt64();
                    var r = Sse2.UnpackLow(t0, t1).AsByte();
                    var g = Sse2.UnpackHigh(t0, t1).AsByte();
                    var b = Sse2.UnpackLow(t2, t3).AsByte();
                    r.Store(red + x);
                    g.Store(green + x);
                    b.Store(blue + x);
                    differs |= (r ^ g) | (g ^ b);
                }
                differ |= differs == Vector128<byte>.Zero ? 0u : 1u;
            }
            for (; x < w; x++)
            {
                uint px = src[x]; // little-endian RGBA: R in the low byte
                byte r = (byte)px, g = (byte)(px >> 8), b = (byte)(px >> 16);
                red[x] = r;
                green[x] = g;
                blue[x] = b;
                differ |= (uint)((r ^ g) | (g ^ b));
            }
        }
        equal = differ == 0;
        var (r0, rr) = SumRows(into, w, h, stride);
        var (g0, gg) = SumRows(into + plane, w, h, stride);
        var (b0, bb) = SumRows(into + 2 * plane, w, h, stride);
        return new(r0, g0, b0, rr, gg, bb);
    }

    /// <summary>Copies grey pixels (w × h) into all three planes and sums them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per image: a first decode should not run unoptimised code
    public static unsafe PixelSums FromGrey(byte* grey, int w, int h, byte* into, int stride, int planeRows)
    {
        long plane = (long)planeRows * stride;
        if (stride == w)
        {
            // Rows follow each other in the output as in the source: one copy per plane.
            var all = new ReadOnlySpan<byte>(grey, w * h);
            all.CopyTo(new Span<byte>(into, w * h));
            all.CopyTo(new Span<byte>(into + plane, w * h));
            all.CopyTo(new Span<byte>(into + 2 * plane, w * h));
        }
        else
        {
            for (int y = 0; y < h; y++)
            {
                var src = new ReadOnlySpan<byte>(grey + (long)w * y, w);
                byte* red = into + (long)y * stride;
                src.CopyTo(new Span<byte>(red, w));
                src.CopyTo(new Span<byte>(red + plane, w));
                src.CopyTo(new Span<byte>(red + 2 * plane, w));
            }
        }
        var (s, ss) = SumRows(grey, w, h, w);
        return new(s, s, s, ss, ss, ss);
    }

    public static PixelSums operator +(PixelSums a, PixelSums b) =>
        new(a.R + b.R, a.G + b.G, a.B + b.B, a.RR + b.RR, a.GG + b.GG, a.BB + b.BB);

    // Sum and sum of squares of h rows of w bytes; 32 bytes at a time where the hardware has 256-bit vectors.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per image: a first decode should not run unoptimised code
    private static unsafe (long Sum, long Squares) SumRows(byte* start, int w, int h, int stride)
    {
        long sum = 0, squares = 0;
        if (stride == w && (long)w * h <= int.MaxValue)
            (w, h) = (w * h, 1); // contiguous rows: one long run vectorises even when rows are short
        for (int y = 0; y < h; y++)
        {
            byte* p = start + (long)y * stride;
            int x = 0;
            if (Vector256.IsHardwareAccelerated && w >= 32)
            {
                var acc = Vector256<uint>.Zero;
                var accSq = Vector256<uint>.Zero;
                int blocks = 0;
                for (; x <= w - 32; x += 32)
                {
                    var (lo, hi) = Vector256.Widen(Vector256.Load(p + x));
                    var (a, b) = Vector256.Widen(lo);
                    var (c, d) = Vector256.Widen(hi);
                    acc += a + b + c + d;
                    accSq += a * a + b * b + c * c + d * d;
                    // Each lane gains at most 4 · 255² per block: flush long before a uint overflows.
                    if (++blocks == 4096)
                    {
                        sum += (long)Vector256.Sum(Vector256.WidenLower(acc) + Vector256.WidenUpper(acc));
                        squares += (long)Vector256.Sum(Vector256.WidenLower(accSq) + Vector256.WidenUpper(accSq));
                        acc = accSq = Vector256<uint>.Zero;
                        blocks = 0;
                    }
                }
                sum += (long)Vector256.Sum(Vector256.WidenLower(acc) + Vector256.WidenUpper(acc));
                squares += (long)Vector256.Sum(Vector256.WidenLower(accSq) + Vector256.WidenUpper(accSq));
            }
            for (; x < w; x++)
            {
                int v = p[x];
                sum += v;
                squares += v * v;
            }
        }
        return (sum, squares);
    }
}
