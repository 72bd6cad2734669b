using SkiaSharp;
using Trainwright.Data.Images;

namespace Trainwright.Tests.Images;

/// <summary>
/// The decoder's shortcuts against references computed here: a JPEG shrunk by 8 is decoded at libjpeg's 1/8 scale,
/// which must match the box average of the full-size decode; the plane split and its sums match a plain loop.
/// </summary>
public class ScaledDecodeTests
{
    // A smooth pattern (JPEG's own quantisation error stays small), 3 channels.
    private static byte[] Smooth(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                px[i] = (byte)(128 + 100 * Math.Sin(x / 23.0));
                px[i + 1] = (byte)(255 * y / h);
                px[i + 2] = (byte)(128 + 100 * Math.Cos((x + y) / 31.0));
            }
        return px;
    }

    // The full-size decode of the file (displayed orientation), averaged over k×k blocks: planes of (w/k)×(h/k).
    private static double[] BoxReference(byte[] jpeg, int k, out int outW, out int outH)
    {
        using var codec = SKCodec.Create(SKData.CreateCopy(jpeg));
        using var full = SKBitmap.Decode(jpeg, new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        int w = full.Width, h = full.Height;
        outW = w / k;
        outH = h / k;
        var result = new double[3 * outW * outH];
        for (int y = 0; y < outH * k; y++)
            for (int x = 0; x < outW * k; x++)
            {
                var c = full.GetPixel(x, y);
                int o = (y / k) * outW + x / k;
                result[o] += c.Red;
                result[outW * outH + o] += c.Green;
                result[2 * outW * outH + o] += c.Blue;
            }
        for (int i = 0; i < result.Length; i++) result[i] /= k * k;
        return result;
    }

    [Fact]
    public void A_jpeg_shrunk_by_eight_matches_the_box_average_of_the_full_decode()
    {
        var jpeg = ImageFiles.Encode(Smooth(512, 512), 512, 512, 3, SKEncodedImageFormat.Jpeg, quality: 95);
        var reference = BoxReference(jpeg, 8, out int w, out int h);
        Assert.Equal((64, 64), (w, h));
        var planes = ImageDecoder.DecodeRgb(jpeg, "big.jpg", 64, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out bool grey);
        Assert.False(grey);
        var diffs = planes.Select((v, i) => Math.Abs(v - reference[i])).ToArray();
        // libjpeg's 1/8 decode keeps each 8×8 block's DC term, i.e. the block mean before the colour conversion and
        // rounding of the full decode: a level or two apart on average, a few at most.
        Assert.True(diffs.Average() < 1.5, $"mean |difference| {diffs.Average():F2} levels");
        Assert.True(diffs.Max() <= 8, $"max |difference| {diffs.Max():F1} levels");
    }

    [Fact]
    public void A_rotated_jpeg_shrunk_by_eight_is_turned_like_the_full_decode()
    {
        // Stored 256×128, EXIF 6 (a quarter turn clockwise): displayed 128×256. Squished to 16×16 the x axis shrinks by 8
        // and the y axis by 16, so the decode runs at 1/8 and the canvas halves the rest.
        var px = Smooth(256, 128);
        var jpeg = ImageFiles.WithExifOrientation(ImageFiles.Encode(px, 256, 128, 3, SKEncodedImageFormat.Jpeg, quality: 95), 6);
        var planes = ImageDecoder.DecodeRgb(jpeg, "turned.jpg", 16, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out _);
        // Reference by hand: displayed pixel (x, y) is stored pixel (y, 127 − x); average the 8×16 block of each output pixel.
        int n = 16 * 16;
        var diffs = new List<double>();
        for (int oy = 0; oy < 16; oy++)
            for (int ox = 0; ox < 16; ox++)
                for (int c = 0; c < 3; c++)
                {
                    double sum = 0;
                    for (int dy = 0; dy < 16; dy++)
                        for (int dx = 0; dx < 8; dx++)
                        {
                            int x = ox * 8 + dx, y = oy * 16 + dy;
                            sum += px[((127 - x) * 256 + y) * 3 + c];
                        }
                    diffs.Add(Math.Abs(planes[c * n + oy * 16 + ox] - sum / 128));
                }
        // Against the uncompressed pattern, so JPEG's own error is in the budget too.
        Assert.True(diffs.Average() < 3, $"mean |difference| {diffs.Average():F2} levels");
        Assert.True(diffs.Max() <= 16, $"max |difference| {diffs.Max():F1} levels");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(17, 3)]
    [InlineData(33, 5)]
    [InlineData(64, 2)]
    public unsafe void The_plane_split_and_its_sums_match_a_plain_loop(int w, int h)
    {
        var random = new Random(w * 31 + h);
        var rgba = new byte[4 * w * h];
        random.NextBytes(rgba);
        int stride = w + 3, rows = h + 1; // a wider destination, as the training cache's rows may be
        var planes = new byte[3 * stride * rows];
        PixelSums sums;
        bool equal;
        fixed (byte* src = rgba)
        fixed (byte* dst = planes)
            sums = PixelSums.FromRgba(src, w, h, w, dst, stride, rows, out equal);
        long[] s = new long[3], q = new long[3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    byte v = rgba[4 * (y * w + x) + c];
                    Assert.Equal(v, planes[c * stride * rows + y * stride + x]);
                    s[c] += v;
                    q[c] += v * v;
                }
        Assert.Equal(new PixelSums(s[0], s[1], s[2], q[0], q[1], q[2]), sums);
        Assert.False(equal);

        var grey = new byte[w * h];
        random.NextBytes(grey);
        for (int i = 0; i < w * h; i++) rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = grey[i];
        fixed (byte* src = rgba)
        fixed (byte* dst = planes)
            sums = PixelSums.FromRgba(src, w, h, w, dst, stride, rows, out equal);
        Assert.True(equal);
        long gs = grey.Sum(v => (long)v), gq = grey.Sum(v => (long)v * v);
        Assert.Equal(new PixelSums(gs, gs, gs, gq, gq, gq), sums);
        fixed (byte* src = grey)
        fixed (byte* dst = planes)
            Assert.Equal(sums, PixelSums.FromGrey(src, w, h, dst, stride, rows));
    }
}
