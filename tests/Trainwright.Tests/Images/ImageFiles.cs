using System.IO.Compression;
using SkiaSharp;

namespace Trainwright.Tests.Images;

/// <summary>Writes test images with SkiaSharp: grey, RGB or RGBA pixels as PNG, JPEG, BMP-less formats, and EXIF-tagged JPEGs.</summary>
internal static class ImageFiles
{
    /// <summary>Encodes <paramref name="pixels"/> (row-major, <paramref name="channels"/> = 1, 3 or 4 per pixel).</summary>
    public static byte[] Encode(byte[] pixels, int width, int height, int channels, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 95)
    {
        var colorType = channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888;
        var alpha = channels == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, colorType, alpha));
        var span = bitmap.GetPixelSpan();
        for (int p = 0; p < width * height; p++)
        {
            if (channels == 1) { span[p] = pixels[p]; continue; }
            span[4 * p] = pixels[channels * p];
            span[4 * p + 1] = pixels[channels * p + 1];
            span[4 * p + 2] = pixels[channels * p + 2];
            span[4 * p + 3] = channels == 4 ? pixels[4 * p + 3] : (byte)255;
        }
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    public static string Write(string path, byte[] pixels, int width, int height, int channels, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Encode(pixels, width, height, channels, format));
        return path;
    }

    /// <summary>A grey image filled with <paramref name="value"/>.</summary>
    public static byte[] Filled(int width, int height, int channels, byte value) => Enumerable.Repeat(value, width * height * channels).ToArray();

    /// <summary>
    /// A JPEG with an EXIF APP1 segment whose orientation tag is <paramref name="orientation"/> (1–8), inserted right
    /// after the SOI marker (a little-endian TIFF header with one IFD entry).
    /// </summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        Assert.True(jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG");
        var tiff = new List<byte>();
        tiff.AddRange("II"u8.ToArray());
        tiff.AddRange(BitConverter.GetBytes((ushort)42));
        tiff.AddRange(BitConverter.GetBytes(8u));             // offset of IFD0
        tiff.AddRange(BitConverter.GetBytes((ushort)1));      // one entry
        tiff.AddRange(BitConverter.GetBytes((ushort)0x0112)); // Orientation
        tiff.AddRange(BitConverter.GetBytes((ushort)3));      // SHORT
        tiff.AddRange(BitConverter.GetBytes(1u));             // count
        tiff.AddRange(BitConverter.GetBytes(orientation));
        tiff.AddRange(new byte[2]);                           // value padding
        tiff.AddRange(BitConverter.GetBytes(0u));             // no next IFD
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        int length = payload.Length + 2;
        var segment = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return jpeg.Take(2).Concat(segment).Concat(jpeg.Skip(2)).ToArray();
    }

    /// <summary>The first <paramref name="count"/> bundled MNIST test images (28×28 bytes each) and labels.</summary>
    public static (byte[][] Images, byte[] Labels) Mnist(int count)
    {
        var folder = Trainwright.Tests.Init.MnistSlice.Folder();
        var images = ReadIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 16, count * 784);
        var labels = ReadIdx(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), 8, count);
        return (Enumerable.Range(0, count).Select(i => images.AsSpan(i * 784, 784).ToArray()).ToArray(), labels);
    }

    private static byte[] ReadIdx(string path, int header, int bytes)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var buffer = new byte[header + bytes];
        stream.ReadExactly(buffer);
        return buffer[header..];
    }
}
