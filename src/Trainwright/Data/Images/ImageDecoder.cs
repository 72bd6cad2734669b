using System.Runtime.CompilerServices;
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
        using var codec = OpenCodec(new SKManagedStream(file, disposeManagedStream: true), path, maxPixels, out var info);
        return Header(codec, info);
    }

    // Files up to this size are read whole for their header: one read is cheaper than a managed stream the codec pulls from.
    private const int SmallFile = 64 * 1024;

    /// <summary>
    /// <see cref="ReadHeader(string, long)"/> for a folder's header pass: a small file is read whole into
    /// <paramref name="scratch"/>'s buffer and its header parsed from memory; a larger one streams as usual.
    /// </summary>
    internal static unsafe ImageHeader ReadHeader(string path, long maxPixels, ImageDecodeScratch scratch)
    {
        if (!scratch.TryReadSmallFile(path, SmallFile, out var data)) return ReadHeader(path, maxPixels);
        if (data.Length == 0) throw Bad(path, "is empty (0 bytes)");
        fixed (byte* bytes = data)
        {
            using var skData = SKData.Create((IntPtr)bytes, data.Length);
            using var codec = OpenCodec(skData, path, maxPixels, out var info);
            return Header(codec, info);
        }
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
    public static unsafe byte[] DecodeRgb(byte[] data, string name, int size, ResizeMethod method, long maxPixels, out bool grey)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var planes = new byte[3 * size * size];
        using var scratch = new ImageDecodeScratch(size, size);
        fixed (byte* into = planes)
            grey = DecodeInto(data, name, method, maxPixels, scratch, into, stride: size, out _, out _).Grey;
        return planes;
    }

    /// <summary>
    /// The decode behind every caller: decodes <paramref name="data"/> once (one codec reads the header, checks the
    /// pixel limit and decodes) and writes three planes of <see cref="ImageDecodeScratch.Height"/> rows ×
    /// <paramref name="stride"/> bytes at <paramref name="into"/>, with each channel's sum and sum of squares.
    /// </summary>
    /// <remarks>
    /// <para>Normally the output is <see cref="ImageDecodeScratch.Height"/> square. When the scratch is wider (a
    /// training image for random crops, <see cref="ResizeMethod.Crop"/> only) the short side becomes the height and
    /// the long side keeps its proportion up to the scratch's width (the middle of longer images is kept); a portrait
    /// image is stored transposed, so its long side runs along the row too, and the columns past its length are zero.</para>
    /// <para>An image already at the output size and upright is copied as decoded (what the canvas would draw, without
    /// the draw). A JPEG at least halved by the resize is decoded at libjpeg's scaled size (1/2, 1/4 or 1/8: the
    /// smallest not below the output), whose DCT downsampling then replaces most of the canvas's mipmapped filtering;
    /// the pixels differ from a full-size decode by a level or two on average, as two good downsampling filters do.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per image: a first decode should not run unoptimised code
    internal static unsafe DecodedImage DecodeInto(ReadOnlySpan<byte> data, string name, ResizeMethod method, long maxPixels,
        ImageDecodeScratch scratch, byte* into, int stride, out ImageSize shown, out PixelSums sums)
    {
        if (data.Length == 0) throw Bad(name, "is empty (0 bytes)");
        // The codec reads the caller's bytes in place (no copy): they stay pinned until it is disposed, below.
        fixed (byte* bytes = data)
        {
            using var skData = SKData.Create((IntPtr)bytes, data.Length);
            using var codec = OpenCodec(skData, name, maxPixels, out var info);
            return DecodeInto(codec, info, name, method, scratch, into, stride, out shown, out sums);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe DecodedImage DecodeInto(SKCodec codec, SKImageInfo codecInfo, string name, ResizeMethod method,
        ImageDecodeScratch scratch, byte* into, int stride, out ImageSize shown, out PixelSums sums)
    {
        var header = Header(codec, codecInfo);
        shown = header.Size;
        int w = codecInfo.Width, h = codecInfo.Height;
        int outH = scratch.Height, outW = outH;
        bool transpose = false;
        if (scratch.Width > outH && method == ResizeMethod.Crop)
        {
            int shortSide = Math.Min(shown.Width, shown.Height), longSide = Math.Max(shown.Width, shown.Height);
            outW = (int)Math.Clamp(Math.Round((double)outH * longSide / shortSide), outH, scratch.Width);
            transpose = shown.Height > shown.Width && outW > outH;
        }
        if (outW < scratch.Width)
        {
            long plane = (long)outH * stride;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < outH; y++)
                    new Span<byte>(into + c * plane + (long)y * stride + outW, scratch.Width - outW).Clear();
        }
        bool upright = codec.EncodedOrigin is SKEncodedOrigin.TopLeft;
        if (upright && !transpose && w == outW && h == outH)
        {
            if (codecInfo.ColorType == SKColorType.Gray8)
            {
                var greyInfo = new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque);
                var greyPixels = scratch.Raw((long)w * h);
                Check(codec.GetPixels(greyInfo, greyPixels), name);
                sums = PixelSums.FromGrey((byte*)greyPixels, w, h, into, stride, outH);
                return new(header, true, outW, false);
            }
            var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
            var pixels = scratch.Raw(4L * w * h);
            Check(codec.GetPixels(info, pixels), name);
            sums = PixelSums.FromRgba((byte*)pixels, w, h, w, into, stride, outH, out bool equal);
            return new(header, header.Grey || equal, outW, false);
        }

        // The output as the displayed image sees it: a transposed portrait fills outW rows of outH columns.
        var (placeW, placeH) = transpose ? (outH, outW) : (outW, outH);
        var (rawW, rawH) = (w, h);
        float needed = NeededScale(header.Size, placeW, placeH, method);
        if (needed <= 0.5f && codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
        {
            var scaled = codec.GetScaledDimensions(needed);
            if (scaled.Width < w && scaled.Width > 0 && scaled.Height > 0) (rawW, rawH) = (scaled.Width, scaled.Height);
        }
        var rawInfo = new SKImageInfo(rawW, rawH, SKColorType.Rgba8888, SKAlphaType.Premul);
        var raw = scratch.Raw(4L * rawW * rawH);
        Check(codec.GetPixels(rawInfo, raw), name);
        var rawShown = Swaps(codec.EncodedOrigin) ? new ImageSize(rawH, rawW) : new ImageSize(rawW, rawH);
        var canvas = scratch.Canvas;
        using (var pixmap = new SKPixmap(rawInfo, raw))
        using (var image = SKImage.FromPixels(pixmap))
        {
            canvas.Clear(SKColors.Black);
            var matrix = Placement(rawShown, placeW, placeH, method);
            if (transpose) matrix = new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1).PreConcat(matrix);
            canvas.SetMatrix(matrix.PreConcat(Orientation(codec.EncodedOrigin, rawW, rawH)));
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            canvas.Flush();
        }
        var target = (byte*)scratch.Target.GetPixels();
        sums = PixelSums.FromRgba(target, outW, outH, scratch.Width, into, stride, outH, out bool same);
        return new(header, header.Grey || same, outW, transpose);
    }

    private static void Check(SKCodecResult result, string name)
    {
        if (result != SKCodecResult.Success)
            throw Bad(name, result is SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput
                ? "is truncated or damaged (its image data ends early or is corrupt)"
                : $"could not be decoded ({result})");
    }

    // The largest factor by which the resize shrinks either axis of the displayed image (1 keeps full resolution).
    private static float NeededScale(ImageSize shown, int outW, int outH, ResizeMethod method)
    {
        float sx = (float)outW / shown.Width, sy = (float)outH / shown.Height;
        return method switch
        {
            ResizeMethod.Squish => Math.Max(sx, sy),
            ResizeMethod.Crop => Math.Max(sx, sy),
            ResizeMethod.Pad => Math.Min(sx, sy),
            _ => 1f,
        };
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

    // The codec and its info, read once: each read of SKCodec.Info looks its colour space up in SkiaSharp's handle
    // table under a process-wide lock, which decode threads would otherwise take turns at several times per image.
    private static SKCodec OpenCodec(SKData data, string name, long maxPixels, out SKImageInfo info) =>
        Limit(SKCodec.Create(data), name, maxPixels, out info);

    // Takes ownership of the stream: the codec disposes it, or this method does when no codec is made.
    private static SKCodec OpenCodec(SKStream stream, string name, long maxPixels, out SKImageInfo info)
    {
        var codec = SKCodec.Create(stream, out _);
        if (codec is null) stream.Dispose();
        return Limit(codec, name, maxPixels, out info);
    }

    private static SKCodec Limit(SKCodec? codec, string name, long maxPixels, out SKImageInfo info)
    {
        if (codec is null)
        {
            throw Bad(name, "is not an image SkiaSharp can read (not PNG, JPEG, BMP, GIF or WebP, or its header is damaged)");
        }
        info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        if (pixels > maxPixels)
        {
            var (w, h) = (info.Width, info.Height);
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

    private static ImageHeader Header(SKCodec codec, SKImageInfo info)
    {
        var size = Swaps(codec.EncodedOrigin) ? new ImageSize(info.Height, info.Width) : new ImageSize(info.Width, info.Height);
        return new(size, info.ColorType == SKColorType.Gray8);
    }

    // True for the EXIF orientations that turn the image a quarter turn (width and height trade places).
    private static bool Swaps(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

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

    // Maps displayed coordinates to the output rectangle.
    private static SKMatrix Placement(ImageSize shown, int outW, int outH, ResizeMethod method)
    {
        float w = shown.Width, h = shown.Height;
        switch (method)
        {
            case ResizeMethod.Squish:
                return SKMatrix.CreateScale(outW / w, outH / h);
            case ResizeMethod.Crop:
            case ResizeMethod.Pad:
            {
                float k = method == ResizeMethod.Crop ? Math.Max(outW / w, outH / h) : Math.Min(outW / w, outH / h);
                return new SKMatrix(k, 0, (outW - w * k) / 2, 0, k, (outH - h * k) / 2, 0, 0, 1);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown resize method.");
        }
    }
}
