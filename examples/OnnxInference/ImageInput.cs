using SkiaSharp;

namespace Trainwright.Examples.OnnxInference;

/// <summary>
/// Turns an image file into the ONNX model's input without Trainwright. This MIRRORS Trainwright's
/// <c>ImagePreprocessing.ToModelInput</c> (Data/Images/ImagePreprocessing.cs and ImageDecoder.DecodeRgb): decode with
/// SkiaSharp, apply the EXIF orientation, composite transparency on black, resize to a square by the stored method
/// (squish, crop or pad) with linear filtering and mipmaps, keep 1 channel (integer luma) or 3, scale to [0, 1], and
/// normalise per channel. Trainwright's tests compile this file and require it to equal ToModelInput to 1e-6, so keep
/// the two in step when either changes.
/// </summary>
internal static class ImageInput
{
    /// <summary>
    /// The model input for one encoded image as a flat float array [channels, size, size]: on the [0, 1] scale, and
    /// normalised with <paramref name="mean"/> and <paramref name="std"/> unless both are null (when the graph does it).
    /// </summary>
    /// <param name="data">The encoded file (PNG, JPEG, BMP, GIF, WebP).</param>
    /// <param name="size">Side of the square the model takes (metadata <c>image.size</c>).</param>
    /// <param name="resize">"squish", "crop" or "pad" (metadata <c>image.resize</c>).</param>
    /// <param name="channels">1 or 3 (metadata <c>image.channels</c>).</param>
    /// <param name="mean">Per-channel means (metadata <c>image.mean</c>), or null to leave values on [0, 1].</param>
    /// <param name="std">Per-channel standard deviations (metadata <c>image.std</c>), or null.</param>
    /// <exception cref="InvalidDataException">The data is not an image SkiaSharp can decode.</exception>
    public static float[] Prepare(byte[] data, int size, string resize, int channels, float[]? mean, float[]? std)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (channels is not (1 or 3)) throw new InvalidDataException($"Images have 1 or 3 channels, not {channels}.");
        using var codec = SKCodec.Create(new SKMemoryStream(data))
            ?? throw new InvalidDataException("Not an image SkiaSharp can read (PNG, JPEG, BMP, GIF or WebP).");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var raw = new SKBitmap(info);
        if (codec.GetPixels(info, raw.GetPixels()) != SKCodecResult.Success)
            throw new InvalidDataException("The image is truncated or damaged.");
        raw.SetImmutable();
        bool swap = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        float shownW = swap ? info.Height : info.Width, shownH = swap ? info.Width : info.Height;

        using var target = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(target))
        using (var image = SKImage.FromBitmap(raw))
        {
            canvas.Clear(SKColors.Black);
            canvas.SetMatrix(Placement(shownW, shownH, size, resize).PreConcat(Orientation(codec.EncodedOrigin, info.Width, info.Height)));
            canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        var rgba = target.GetPixelSpan();
        int n = size * size;
        var result = new float[channels * n];
        for (int i = 0; i < n; i++)
        {
            int r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
            if (channels == 1)
            {
                // Integer luma weights summing to 1000, rounded: a grey pixel keeps its value exactly.
                result[i] = (r * 299 + g * 587 + b * 114 + 500) / 1000 / 255f;
            }
            else
            {
                result[i] = r / 255f;
                result[n + i] = g / 255f;
                result[2 * n + i] = b / 255f;
            }
        }
        if (mean is not null && std is not null)
            for (int i = 0; i < result.Length; i++) result[i] = (result[i] - mean[i / n]) / std[i / n];
        return result;
    }

    // Stored pixel coordinates (w×h) to displayed ones, per the EXIF orientation tag.
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

    // Displayed coordinates to the output square: stretch, or scale the short (crop) / long (pad) side and centre.
    private static SKMatrix Placement(float w, float h, int size, string resize)
    {
        float s = size;
        switch (resize.ToLowerInvariant())
        {
            case "squish":
                return SKMatrix.CreateScale(s / w, s / h);
            case "crop":
            case "pad":
            {
                float k = resize.Equals("crop", StringComparison.OrdinalIgnoreCase) ? s / Math.Min(w, h) : s / Math.Max(w, h);
                return new SKMatrix(k, 0, (s - w * k) / 2, 0, k, (s - h * k) / 2, 0, 0, 1);
            }
            default:
                throw new InvalidDataException($"Unknown resize method '{resize}' (squish, crop or pad).");
        }
    }
}
