using SkiaSharp;
using TorchSharp;
using Trainwright.IO;
using static TorchSharp.torch;

namespace Trainwright.Plotting;

/// <summary>Draws images in a grid with a caption under each, to a PNG (how people check data and augmentation).</summary>
public static class ImageGrid
{
    /// <summary>
    /// Writes <paramref name="images"/> [N, C, H, W] (C = 1 or 3; uint8 0–255 or float on the [0, 1] scale) as a PNG grid
    /// of <paramref name="columns"/> columns, each image scaled to <paramref name="cellSize"/> px with
    /// <paramref name="captions"/>[i] under it, through <see cref="AtomicFile"/>.
    /// </summary>
    /// <exception cref="IOException"><paramref name="path"/> is a folder, a device, a FIFO or a socket, or the write fails.</exception>
    public static void Save(string path, Tensor images, IReadOnlyList<string> captions, int columns = 4, int cellSize = 128)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(captions);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, 8);
        if (images.Dimensions != 4 || images.shape[1] is not (1 or 3))
            throw new ArgumentException($"Expected images shaped [N, 1 or 3, H, W]; got [{string.Join(", ", images.shape)}].", nameof(images));
        int n = (int)images.shape[0], c = (int)images.shape[1], h = (int)images.shape[2], w = (int)images.shape[3];
        if (captions.Count != n) throw new ArgumentException($"Need one caption per image: {n} images, {captions.Count} captions.", nameof(captions));
        if (n == 0) throw new ArgumentException("No images to draw.", nameof(images));
        AtomicFile.RequireReplaceable(path);

        byte[] hwc;
        using (NewDisposeScope())
        {
            var bytes = images.dtype == ScalarType.Byte ? images
                : images.to_type(ScalarType.Float32).clamp(0, 1).mul(255).round().to_type(ScalarType.Byte);
            hwc = bytes.cpu().permute(0, 2, 3, 1).contiguous().data<byte>().ToArray();
        }

        const int captionHeight = 20, margin = 4;
        int rows = (n + columns - 1) / columns;
        int cellW = cellSize + 2 * margin, cellH = cellSize + captionHeight + 2 * margin;
        using var surface = SKSurface.Create(new SKImageInfo(columns * cellW, rows * cellH, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 13);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        // Small images are blown up with nearest neighbour so their pixels stay visible.
        var sampling = h < cellSize ? new SKSamplingOptions(SKFilterMode.Nearest) : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        for (int i = 0; i < n; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
            var pixels = bitmap.GetPixelSpan();
            int offset = i * h * w * c;
            for (int p = 0; p < h * w; p++)
            {
                byte r = hwc[offset + p * c], g = c == 3 ? hwc[offset + p * c + 1] : r, b = c == 3 ? hwc[offset + p * c + 2] : r;
                pixels[4 * p] = r; pixels[4 * p + 1] = g; pixels[4 * p + 2] = b; pixels[4 * p + 3] = 255;
            }
            using var image = SKImage.FromBitmap(bitmap);
            float x = i % columns * cellW + margin, y = i / columns * cellH + margin;
            canvas.DrawImage(image, new SKRect(x, y, x + cellSize, y + cellSize), sampling);
            var caption = captions[i];
            while (caption.Length > 1 && font.MeasureText(caption) > cellSize) caption = caption[..^2] + "…";
            canvas.DrawText(caption, x + cellSize / 2f, y + cellSize + captionHeight - 5, SKTextAlign.Center, font, ink);
        }

        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, png.SaveTo);
    }
}
