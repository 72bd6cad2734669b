using SkiaSharp;
using Trainwright.Data.Images;

namespace Trainwright.Tests.Images;

public class ImageDecoderTests
{
    private static byte[] Plane(byte[] planes, int channel, int size) => planes.AsSpan(channel * size * size, size * size).ToArray();

    [Fact]
    public void Grey_png_at_its_own_size_decodes_to_the_exact_pixels_and_reports_grey()
    {
        var pixels = Enumerable.Range(0, 64).Select(i => (byte)(i * 4)).ToArray();
        var png = ImageFiles.Encode(pixels, 8, 8, 1);
        var planes = ImageDecoder.DecodeRgb(png, "g.png", 8, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out bool grey);
        Assert.True(grey);
        for (int c = 0; c < 3; c++) Assert.Equal(pixels, Plane(planes, c, 8));
    }

    [Fact]
    public void Colour_png_keeps_each_channel_and_is_not_grey()
    {
        var rgb = new byte[4 * 4 * 3];
        for (int p = 0; p < 16; p++) { rgb[3 * p] = (byte)(10 * p); rgb[3 * p + 1] = 7; rgb[3 * p + 2] = 250; }
        var planes = ImageDecoder.DecodeRgb(ImageFiles.Encode(rgb, 4, 4, 3), "c.png", 4, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out bool grey);
        Assert.False(grey);
        Assert.Equal(Enumerable.Range(0, 16).Select(p => (byte)(10 * p)), Plane(planes, 0, 4));
        Assert.All(Plane(planes, 1, 4), v => Assert.Equal(7, v));
        Assert.All(Plane(planes, 2, 4), v => Assert.Equal(250, v));
    }

    [Fact]
    public void Transparent_pixels_are_composited_on_black()
    {
        // Colour 200 at alpha 128 on black is 200·128/255 ≈ 100.
        var rgba = new byte[2 * 2 * 4];
        for (int p = 0; p < 4; p++) { rgba[4 * p] = 200; rgba[4 * p + 1] = 200; rgba[4 * p + 2] = 200; rgba[4 * p + 3] = 128; }
        var planes = ImageDecoder.DecodeRgb(ImageFiles.Encode(rgba, 2, 2, 4), "a.png", 2, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out _);
        Assert.All(planes, v => Assert.InRange(v, 98, 102));
    }

    // 16×8 image: columns 0–3 and 12–15 black, 4–11 white.
    private static byte[] Bars()
    {
        var px = new byte[16 * 8];
        for (int y = 0; y < 8; y++) for (int x = 4; x < 12; x++) px[y * 16 + x] = 255;
        return ImageFiles.Encode(px, 16, 8, 1);
    }

    [Fact]
    public void Crop_takes_the_centre_square()
    {
        var planes = ImageDecoder.DecodeRgb(Bars(), "bars.png", 8, ResizeMethod.Crop, ImageDecoder.DefaultMaxPixels, out _);
        Assert.All(Plane(planes, 0, 8), v => Assert.Equal(255, v));
    }

    [Fact]
    public void Squish_keeps_the_whole_width()
    {
        // Squished to 8×8, a column covers two source columns: 0–1 black, 2–5 white, 6–7 black.
        var planes = Plane(ImageDecoder.DecodeRgb(Bars(), "bars.png", 8, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out _), 0, 8);
        for (int y = 0; y < 8; y++)
        {
            Assert.True(planes[y * 8 + 0] < 10 && planes[y * 8 + 7] < 10, $"row {y} edges should be black");
            Assert.True(planes[y * 8 + 3] > 245 && planes[y * 8 + 4] > 245, $"row {y} centre should be white");
        }
    }

    [Fact]
    public void Pad_letterboxes_with_black()
    {
        // A white 16×8 image padded to 8×8 is scaled by 1/2 to 8×4, centred: rows 2–5 white, rows 0–1 and 6–7 black.
        var white = ImageFiles.Encode(ImageFiles.Filled(16, 8, 1, 255), 16, 8, 1);
        var planes = Plane(ImageDecoder.DecodeRgb(white, "w.png", 8, ResizeMethod.Pad, ImageDecoder.DefaultMaxPixels, out _), 0, 8);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                if (y is >= 2 and <= 5) Assert.True(planes[y * 8 + x] > 245, $"({x},{y}) should be white");
                else Assert.True(planes[y * 8 + x] < 10, $"({x},{y}) should be black");
    }

    [Fact]
    public void Exif_orientation_6_rotates_a_jpeg_a_quarter_turn_clockwise()
    {
        // Stored 32×16: left half white. Rotated 90° clockwise for display (16×32), the left edge becomes the top.
        var px = new byte[32 * 16 * 3];
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) for (int c = 0; c < 3; c++) px[(y * 32 + x) * 3 + c] = 255;
        var jpeg = ImageFiles.WithExifOrientation(ImageFiles.Encode(px, 32, 16, 3, SKEncodedImageFormat.Jpeg), 6);
        var path = Path.Combine(Path.GetTempPath(), $"exif-{Guid.NewGuid():N}.jpg");
        File.WriteAllBytes(path, jpeg);
        try
        {
            Assert.Equal(new ImageSize(16, 32), ImageDecoder.ReadHeader(path).Size);
        }
        finally { File.Delete(path); }
        var planes = Plane(ImageDecoder.DecodeRgb(jpeg, "r.jpg", 16, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out _), 0, 16);
        double top = planes.Take(16 * 7).Average(v => v), bottom = planes.Skip(16 * 9).Average(v => v);
        Assert.True(top > 230, $"top half should be white, mean {top}");
        Assert.True(bottom < 25, $"bottom half should be black, mean {bottom}");
    }

    [Theory]
    [InlineData("empty", "is empty")]
    [InlineData("text", "is not an image")]
    [InlineData("truncated", "truncated")]
    public void Bad_bytes_give_one_line_naming_the_file(string kind, string expected)
    {
        var good = ImageFiles.Encode(Enumerable.Range(0, 32 * 32).Select(i => (byte)(i * 7)).ToArray(), 32, 32, 1);
        byte[] data = kind switch
        {
            "empty" => [],
            "text" => "hello, this is not a picture"u8.ToArray(),
            _ => good[..(good.Length / 2)],
        };
        var e = Assert.Throws<ImageDataException>(() => ImageDecoder.DecodeRgb(data, "dir/bad.png", 8, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out _));
        Assert.Contains("'dir/bad.png'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_header_over_the_pixel_limit_is_refused_before_decoding()
    {
        // A 20000×20000 PNG header (400 megapixels) with almost no data: refused from the header alone.
        var bomb = PngHeaderOnly(20000, 20000);
        var e = Assert.Throws<ImageDataException>(() => ImageDecoder.DecodeRgb(bomb, "bomb.png", 8, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out _));
        Assert.Contains("20000x20000", e.Message);
        Assert.Contains("megapixels", e.Message);
        var small = ImageFiles.Encode(ImageFiles.Filled(12, 12, 1, 9), 12, 12, 1);
        Assert.Throws<ImageDataException>(() => ImageDecoder.DecodeRgb(small, "small.png", 8, ResizeMethod.Squish, maxPixels: 100, out _));
    }

    // Signature, IHDR (with its CRC) and IEND: a valid header declaring the given size.
    private static byte[] PngHeaderOnly(int width, int height)
    {
        var ihdr = new byte[13];
        ihdr[0] = (byte)(width >> 24); ihdr[1] = (byte)(width >> 16); ihdr[2] = (byte)(width >> 8); ihdr[3] = (byte)width;
        ihdr[4] = (byte)(height >> 24); ihdr[5] = (byte)(height >> 16); ihdr[6] = (byte)(height >> 8); ihdr[7] = (byte)height;
        ihdr[8] = 8; // bit depth; colour type 0 (grey), compression, filter, interlace all 0
        // The decoder reads up to the first image data chunk: give it a few compressed rows, far fewer than declared.
        using var packed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(packed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            z.Write(new byte[4096]);
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", packed.ToArray()), .. Chunk("IEND", [])];
    }

    internal static byte[] Chunk(string type, byte[] data)
    {
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        uint crc = Crc32(typed);
        int n = data.Length;
        return [(byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n, .. typed, (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc];
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}

public class ImageFormatTests
{
    private static byte[] Decode(byte[] data, int size, out bool grey) =>
        ImageDecoder.DecodeRgb(data, "f", size, ResizeMethod.Squish, ImageDecoder.DefaultMaxPixels, out grey);

    [Fact]
    public void Lossless_webp_decodes_exactly()
    {
        var rgb = new byte[4 * 4 * 3];
        for (int p = 0; p < 16; p++) { rgb[3 * p] = (byte)(15 * p); rgb[3 * p + 1] = 100; rgb[3 * p + 2] = 3; }
        var webp = ImageFiles.Encode(rgb, 4, 4, 3, SkiaSharp.SKEncodedImageFormat.Webp, quality: 100);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(webp, 0, 4));
        var planes = Decode(webp, 4, out bool grey);
        Assert.False(grey);
        Assert.Equal(Enumerable.Range(0, 16).Select(p => (byte)(15 * p)), planes.Take(16));
    }

    [Fact]
    public void A_24_bit_bmp_decodes_exactly()
    {
        // 2×2 BMP, bottom-up rows of B, G, R padded to 4 bytes: top row red, white; bottom row blue, black.
        byte[] pixels = [255, 0, 0, 0, 0, 0, 0, 0, /* bottom: blue, black, pad */ 0, 0, 255, 255, 255, 255, 0, 0 /* top: red, white, pad */];
        var header = new List<byte>();
        header.AddRange("BM"u8.ToArray());
        header.AddRange(BitConverter.GetBytes(54 + pixels.Length));
        header.AddRange(BitConverter.GetBytes(0));
        header.AddRange(BitConverter.GetBytes(54));
        header.AddRange(BitConverter.GetBytes(40));
        header.AddRange(BitConverter.GetBytes(2));
        header.AddRange(BitConverter.GetBytes(2));
        header.AddRange(BitConverter.GetBytes((short)1));
        header.AddRange(BitConverter.GetBytes((short)24));
        header.AddRange(new byte[24]);
        var planes = Decode([.. header, .. pixels], 2, out _);
        Assert.Equal(new byte[] { 255, 255, 0, 0 }, planes[..4]);   // R: red, white, blue, black
        Assert.Equal(new byte[] { 0, 255, 0, 0 }, planes[4..8]);    // G
        Assert.Equal(new byte[] { 0, 255, 255, 0 }, planes[8..12]); // B
    }

    [Fact]
    public void A_gif_decodes_its_first_frame()
    {
        // The well-known 1×1 GIF89a of one white pixel (a global palette of white and black).
        byte[] gif = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00,
            0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B];
        var planes = Decode(gif, 1, out bool grey);
        Assert.True(grey);
        Assert.Equal(new byte[] { 255, 255, 255 }, planes);
    }

    [Fact]
    public void A_16_bit_png_becomes_8_bit()
    {
        // 2×1 RGB at 16 bits per sample (big-endian): red, then blue at 0x8080 (≈ 128 in 8 bits).
        byte[] ihdr = [0, 0, 0, 2, 0, 0, 0, 1, 16, 2, 0, 0, 0];
        byte[] row = [0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x80];
        using var packed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(packed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            z.Write(row);
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A,
            .. ImageDecoderTests.Chunk("IHDR", ihdr), .. ImageDecoderTests.Chunk("IDAT", packed.ToArray()), .. ImageDecoderTests.Chunk("IEND", [])];
        var planes = Decode(png, 2, out _);
        // Squished to 2×2, each source row appears twice; planes are R, G, B of 4 pixels each.
        Assert.Equal(new byte[] { 255, 0, 255, 0 }, planes[..4]);
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, planes[4..8]);
        Assert.Equal(0, planes[8]);
        Assert.InRange(planes[9], 127, 129);
    }
}
