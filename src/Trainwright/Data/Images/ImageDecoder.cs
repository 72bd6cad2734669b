using SkiaSharp;

namespace Trainwright.Data.Images;

/// <summary>
/// Decodes PNG, JPEG, BMP, GIF (first frame) and WebP files with SkiaSharp into a square of planar RGB bytes:
/// EXIF orientation applied, transparency composited on black, resized by a <see cref="ResizeMethod"/>.
/// Training (through the decode cache) and prediction (<see cref="ImagePreprocessing"/>) both decode here.
/// </summary>
/// <remarks>Thread-safe: every call owns its Skia objects, so decode workers run it concurrently.</remarks>
public static class ImageDecoder
{
    /// <summary>File extensions read as images (lower case, with the dot); other files in an image folder are ignored.</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>The default limit on the pixels an image header may declare (100 megapixels): larger files are refused
    /// before decoding, so a small crafted file cannot allocate gigabytes (a decompression bomb).</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>True when <paramref name="path"/> has an image extension.</summary>
    public static bool IsImageFile(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>Reads the header of the image file at <paramref name="path"/>.</summary>
    /// <exception cref="ImageDataException">The file is empty, not an image, unsupported, unreadable or larger than
    /// <paramref name="maxPixels"/>.</exception>
    public static ImageHeader ReadHeader(string path, long maxPixels = DefaultMaxPixels)
    {
        // Only the header is read: the codec pulls from the file as it needs, so a large image is not read twice.
        FileStream file;
        try
        {
            file = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDataException($"Cannot read image '{path}': {e.Message} Check the file's permissions, or remove it.", path, e);
        }
        if (file.Length == 0)
        {
            file.Dispose();
            throw Bad(path, "is empty (0 bytes)");
        }
        using var codec = OpenCodec(new SKManagedStream(file, disposeManagedStream: true), path, maxPixels);
        return Header(codec);
    }

    /// <summary>
    /// Decodes an image and resizes it to <paramref name="size"/>×<paramref name="size"/>: three planes (R, G, B) of
    /// <paramref name="size"/>² bytes each.
    /// </summary>
    /// <param name="data">The encoded file's bytes.</param>
    /// <param name="name">The file's name or path, for error messages.</param>
    /// <param name="size">Side of the output square.</param>
    /// <param name="method">How the image's aspect ratio is handled.</param>
    /// <param name="maxPixels">Largest pixel count a header may declare.</param>
    /// <param name="grey">Set to true when the image has no colour (a grey file, or equal R, G and B everywhere).</param>
    /// <exception cref="ImageDataException">The data is not a usable image; the message names <paramref name="name"/>.</exception>
    public static byte[] DecodeRgb(byte[] data, string name, int size, ResizeMethod method, long maxPixels, out bool grey)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (data.Length == 0) throw Bad(name, "is empty (0 bytes)");
        using var codec = OpenCodec(new SKMemoryStream(data), name, maxPixels);
        var header = Header(codec);
        var rawInfo = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var raw = new SKBitmap(rawInfo);
        var result = codec.GetPixels(rawInfo, raw.GetPixels());
        if (result != SKCodecResult.Success)
            throw Bad(name, result is SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput
                ? "is truncated or damaged (its image data ends early or is corrupt)"
                : $"could not be decoded ({result})");
        raw.SetImmutable();

        using var target = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(target))
        using (var image = SKImage.FromBitmap(raw))
        {
            canvas.Clear(SKColors.Black);
            var place = Placement(header.Size, size, method);
            canvas.SetMatrix(place.PreConcat(Orientation(codec.EncodedOrigin, rawInfo.Width, rawInfo.Height)));
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        var rgba = target.GetPixelSpan();
        int n = size * size;
        var planes = new byte[3 * n];
        bool equal = true;
        for (int i = 0; i < n; i++)
        {
            byte r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
            planes[i] = r;
            planes[n + i] = g;
            planes[2 * n + i] = b;
            equal &= r == g && g == b;
        }
        grey = header.Grey || equal;
        return planes;
    }

    /// <summary>Reads a whole file, turning I/O errors into one clear line.</summary>
    internal static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDataException($"Cannot read image '{path}': {e.Message} Check the file's permissions, or remove it.", path, e);
        }
    }

    // Takes ownership of the stream: the codec disposes it, or this method does when no codec is made.
    private static SKCodec OpenCodec(SKStream stream, string name, long maxPixels)
    {
        var codec = SKCodec.Create(stream, out var result);
        if (codec is null)
        {
            stream.Dispose();
            throw Bad(name, "is not an image SkiaSharp can read (not PNG, JPEG, BMP, GIF or WebP, or its header is damaged)");
        }
        long pixels = (long)codec.Info.Width * codec.Info.Height;
        if (pixels > maxPixels)
        {
            var (w, h) = (codec.Info.Width, codec.Info.Height);
            codec.Dispose();
            throw Bad(name, $"declares {w}x{h} pixels ({pixels / 1e6:0.#} megapixels), more than the limit of {maxPixels / 1e6:0.#} megapixels "
                + "(a possible decompression bomb); shrink it, or raise MaxPixels if it is genuine");
        }
        if (pixels == 0)
        {
            codec.Dispose();
            throw Bad(name, "declares an empty image (0 pixels)");
        }
        return codec;
    }

    private static ImageHeader Header(SKCodec codec)
    {
        bool swap = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var size = swap ? new ImageSize(codec.Info.Height, codec.Info.Width) : new ImageSize(codec.Info.Width, codec.Info.Height);
        return new(size, codec.Info.ColorType == SKColorType.Gray8);
    }

    private static ImageDataException Bad(string name, string reason) =>
        new($"Image '{name}' {reason}.", name);

    // Maps stored pixel coordinates (w×h) to displayed ones, per the EXIF orientation tag.
    private static SKMatrix Orientation(SKEncodedOrigin origin, int w, int h) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
        _ => SKMatrix.Identity,
    };

    // Maps displayed coordinates to the output square.
    private static SKMatrix Placement(ImageSize shown, int size, ResizeMethod method)
    {
        float w = shown.Width, h = shown.Height, s = size;
        switch (method)
        {
            case ResizeMethod.Squish:
                return SKMatrix.CreateScale(s / w, s / h);
            case ResizeMethod.Crop:
            {
                float k = s / Math.Min(w, h);
                return new SKMatrix(k, 0, (s - w * k) / 2, 0, k, (s - h * k) / 2, 0, 0, 1);
            }
            case ResizeMethod.Pad:
            {
                float k = s / Math.Max(w, h);
                return new SKMatrix(k, 0, (s - w * k) / 2, 0, k, (s - h * k) / 2, 0, 0, 1);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown resize method.");
        }
    }
}
