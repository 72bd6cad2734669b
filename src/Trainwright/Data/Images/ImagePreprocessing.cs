using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data.Images;

/// <summary>
/// Everything that turns an image file into a model input: decode, orient, resize to <see cref="Size"/> by
/// <see cref="Resize"/>, keep <see cref="Channels"/> channels, scale to [0, 1] and normalise with the training split's
/// per-channel <see cref="Mean"/> and <see cref="Std"/>. Training decodes through the same methods (the decode cache
/// stores the uint8 output of <see cref="Decode"/>, batches are normalised by <see cref="Normalize"/>), so a predictor
/// that keeps this record beside the weights sees exactly what training saw.
/// </summary>
/// <param name="Size">Side of the square the model sees.</param>
/// <param name="Resize">How images of other shapes become square.</param>
/// <param name="Channels">1 (grey) or 3 (RGB).</param>
/// <param name="Mean">Per-channel mean of the training images on the [0, 1] scale (<see cref="Channels"/> values).</param>
/// <param name="Std">Per-channel standard deviation on the [0, 1] scale (<see cref="Channels"/> values, each &gt; 0).</param>
/// <param name="MaxPixels">Largest pixel count an image header may declare (decompression-bomb guard).</param>
public sealed record ImagePreprocessing(int Size, ResizeMethod Resize, int Channels, float[] Mean, float[] Std,
    long MaxPixels = ImageDecoder.DefaultMaxPixels)
{
    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public ImagePreprocessing Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Size, 1, nameof(Size));
        if (Channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "Images have 1 or 3 channels.");
        if (Mean is null || Std is null || Mean.Length != Channels || Std.Length != Channels)
            throw new ArgumentException($"Mean and Std need one value per channel ({Channels}).");
        if (Std.Any(s => !(s > 0) || float.IsInfinity(s)))
            throw new ArgumentException($"Std values must be positive and finite; got [{string.Join(", ", Std)}].", nameof(Std));
        return this;
    }

    /// <summary>Decodes encoded image bytes to uint8 [<see cref="Channels"/>, <see cref="Size"/>, <see cref="Size"/>].</summary>
    /// <exception cref="ImageDataException">The bytes are not a usable image.</exception>
    public Tensor Decode(byte[] data, string name = "image")
    {
        var rgb = ImageDecoder.DecodeRgb(data, name, Size, Resize, MaxPixels, out _);
        using var scope = NewDisposeScope();
        return ToChannels(tensor(rgb, [3, Size, Size]), Channels).MoveToOuterDisposeScope();
    }

    /// <summary>Decodes the image file at <paramref name="path"/>; see <see cref="Decode"/>.</summary>
    public Tensor DecodeFile(string path) => Decode(ImageDecoder.ReadFile(path), path);

    /// <summary>
    /// uint8 images (0–255) or float images on the [0, 1] scale, shaped [..., <see cref="Channels"/>, H, W], as float32
    /// normalised per channel: (x − mean) / std.
    /// </summary>
    public Tensor Normalize(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Dimensions < 3 || images.shape[^3] != Channels)
            throw new ArgumentException(
                $"Expected images shaped [..., {Channels}, H, W]; got [{string.Join(", ", images.shape)}].", nameof(images));
        // One multiply and one add a pixel, x·scale + shift with scale = 1/(255·std) (1/std for float input) and
        // shift = −mean/std: the same value as (x/255 − mean)/std to float rounding. A batch of bytes in memory (what
        // the training loader gives) is converted in one vectorised pass; anything else takes two tensor operations.
        if (images.dtype == ScalarType.Byte && RowCopy.Supports(images)) return NormalizeBytes(images);
        using var scope = NewDisposeScope();
        var x = images.dtype is ScalarType.Byte or ScalarType.Float32 ? images : images.to_type(ScalarType.Float32);
        double unit = images.dtype == ScalarType.Byte ? 1.0 / 255 : 1.0;
        if (Channels == 1)
            return x.mul(unit / Std[0]).add_(-Mean[0] / (double)Std[0]).MoveToOuterDisposeScope();
        var shape = new long[images.Dimensions];
        Array.Fill(shape, 1L);
        shape[^3] = Channels;
        var scale = tensor(Std.Select(s => (float)(unit / s)).ToArray(), device: images.device).view(shape);
        var shift = tensor(Mean.Zip(Std, (m, s) => (float)(-m / (double)s)).ToArray(), device: images.device).view(shape);
        return x.mul(scale).add_(shift).MoveToOuterDisposeScope();
    }

    private unsafe Tensor NormalizeBytes(Tensor images)
    {
        var result = empty(images.shape, dtype: ScalarType.Float32);
        byte* from;
        float* to;
        using (NewDisposeScope())
        {
            from = (byte*)RowCopy.BasePointer(images);
            to = (float*)RowCopy.BasePointer(result);
        }
        long plane = images.shape[^1] * images.shape[^2], planes = images.numel() / Math.Max(1, plane);
        for (long p = 0; p < planes; p++)
        {
            int c = (int)(p % Channels);
            ScaleBytes(from + p * plane, to + p * plane, plane, (float)(1.0 / 255 / Std[c]), (float)(-Mean[c] / (double)Std[c]));
        }
        return result;
    }

    // to[i] = from[i]·scale + shift, 32 pixels a step where the processor has 256-bit vectors (same float operations).
    private static unsafe void ScaleBytes(byte* from, float* to, long count, float scale, float shift)
    {
        long i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scales = Vector256.Create(scale);
            var shifts = Vector256.Create(shift);
            for (; i + 32 <= count; i += 32)
            {
                var (low, high) = Vector256.Widen(Vector256.Load(from + i));
                var (a, b) = Vector256.Widen(low);
                var (c, d) = Vector256.Widen(high);
                (Vector256.ConvertToSingle(a.AsInt32()) * scales + shifts).Store(to + i);
                (Vector256.ConvertToSingle(b.AsInt32()) * scales + shifts).Store(to + i + 8);
                (Vector256.ConvertToSingle(c.AsInt32()) * scales + shifts).Store(to + i + 16);
                (Vector256.ConvertToSingle(d.AsInt32()) * scales + shifts).Store(to + i + 24);
            }
        }
        for (; i < count; i++) to[i] = from[i] * scale + shift;
    }

    /// <summary>
    /// Images on the scale <see cref="Normalize"/> takes them to before normalising: uint8 images (0–255) as a new float32 tensor on the [0, 1] scale, other
    /// images as float32. Float32 images come back as the very same object (no copy): do not dispose or change the
    /// result then unless you own <paramref name="images"/>.
    /// </summary>
    public static Tensor ToUnitScale(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var type = images.dtype;
        return type == ScalarType.Float32 ? images
            : type == ScalarType.Byte ? images.to_type(ScalarType.Float32).div_(255f)
            : images.to_type(ScalarType.Float32);
    }

    /// <summary>The model input for one encoded image: float32 [1, <see cref="Channels"/>, <see cref="Size"/>, <see cref="Size"/>].</summary>
    public Tensor ToModelInput(byte[] data, string name = "image")
    {
        using var scope = NewDisposeScope();
        return Normalize(Decode(data, name).unsqueeze(0)).MoveToOuterDisposeScope();
    }

    /// <summary>The model input for the image file at <paramref name="path"/>; see <see cref="ToModelInput(byte[], string)"/>.</summary>
    public Tensor ToModelInput(string path) => ToModelInput(ImageDecoder.ReadFile(path), path);

    /// <summary>
    /// uint8 RGB images [..., 3, H, W] with <paramref name="channels"/> channels: unchanged for 3, luma
    /// (0.299 R + 0.587 G + 0.114 B, rounded) for 1, which is exact for grey images.
    /// </summary>
    public static Tensor ToChannels(Tensor rgb, int channels)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (channels == 3) return rgb.alias();
        if (channels != 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images have 1 or 3 channels.");
        using var scope = NewDisposeScope();
        var wide = rgb.to_type(ScalarType.Int32);
        long dim = rgb.Dimensions - 3;
        var r = wide.narrow(dim, 0, 1);
        var g = wide.narrow(dim, 1, 1);
        var b = wide.narrow(dim, 2, 1);
        // Integer weights that sum to 1000: a grey pixel (r = g = b = v) maps to exactly v.
        var luma = (r * 299 + g * 587 + b * 114 + 500).div(1000, rounding_mode: RoundingMode.floor);
        return luma.to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>One line, e.g. "28x28 squish, 1 channel, mean [0.131] std [0.308]".</summary>
    public override string ToString() =>
        $"{Size}x{Size} {Resize.ToString().ToLowerInvariant()}, {Channels} channel{(Channels == 1 ? "" : "s")}, "
        + $"mean [{string.Join(", ", Mean.Select(m => m.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))}] "
        + $"std [{string.Join(", ", Std.Select(m => m.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))}]";
}
