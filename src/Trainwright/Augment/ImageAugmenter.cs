using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Trainwright.Augment;

/// <summary>
/// Batch augmentation on tensors: one 2×3 affine matrix per image (flip · rotation · zoom · shear, plus a random
/// placement of the zoomed window) applied to the whole batch with one <c>affine_grid</c> and one <c>grid_sample</c>
/// (bilinear, reflected borders), then brightness and contrast jitter. Random draws come from a
/// <see cref="System.Random"/> the caller seeds, so the same seed gives the same augmentation.
/// </summary>
public static class ImageAugmenter
{
    /// <summary>
    /// Augments <paramref name="images"/> [N, C, H, W] (uint8 0–255 or float on the [0, 1] scale); returns float32 on the
    /// [0, 1] scale, on the images' device.
    /// </summary>
    public static Tensor Apply(Tensor images, AugmentOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        if (images.Dimensions != 4)
            throw new ArgumentException($"Augmentation needs images shaped [N, C, H, W]; got [{string.Join(", ", images.shape)}].", nameof(images));
        using var scope = NewDisposeScope();
        var x = images.dtype == ScalarType.Byte ? images.to_type(ScalarType.Float32).div_(255f) : images.to_type(ScalarType.Float32);
        int n = (int)images.shape[0];
        var (theta, anyAffine) = Matrices(n, options, random);
        if (anyAffine)
        {
            var t = tensor(theta, [n, 2, 3], device: images.device);
            var grid = F.affine_grid(t, images.shape, align_corners: false);
            x = F.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: false);
        }
        var (contrast, brightness, anyLighting) = Lighting(n, options, random);
        if (anyLighting)
        {
            var c = tensor(contrast, [n, 1, 1, 1], device: images.device);
            var b = tensor(brightness, [n, 1, 1, 1], device: images.device);
            x = ((x - 0.5f) * c + 0.5f + b).clamp_(0f, 1f);
        }
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The affine matrices of one batch, row-major [N, 2, 3], mapping output coordinates to input coordinates in
    /// <c>affine_grid</c>'s normalised [-1, 1] space; <c>AnyAffine</c> is false when all are the identity.
    /// </summary>
    public static (float[] Theta, bool AnyAffine) Matrices(int n, AugmentOptions options, Random random)
    {
        var theta = new float[n * 6];
        bool any = false;
        for (int i = 0; i < n; i++)
        {
            double fx = random.NextDouble() < options.FlipHorizontal ? -1 : 1;
            double fy = random.NextDouble() < options.FlipVertical ? -1 : 1;
            double angle = 0, scale = 1, shear = 0, tx = 0, ty = 0;
            if (random.NextDouble() < options.AffineProbability)
            {
                angle = Uniform(random, -options.MaxRotate, options.MaxRotate) * Math.PI / 180;
                double zoom = Uniform(random, options.MinZoom, options.MaxZoom);
                scale = 1 / zoom;
                shear = Uniform(random, -options.MaxWarp, options.MaxWarp);
                // A zoomed-in window (scale < 1) may sit anywhere inside the image.
                double room = Math.Max(0, 1 - scale);
                tx = Uniform(random, -room, room);
                ty = Uniform(random, -room, room);
            }
            // A = R(angle) · scale · Shear · Flip, with Shear = [[1, shear], [0, 1]] and Flip = diag(fx, fy).
            double cos = Math.Cos(angle) * scale, sin = Math.Sin(angle) * scale;
            double a00 = cos * fx, a01 = (cos * shear - sin) * fy;
            double a10 = sin * fx, a11 = (sin * shear + cos) * fy;
            var row = theta.AsSpan(6 * i, 6);
            row[0] = (float)a00; row[1] = (float)a01; row[2] = (float)tx;
            row[3] = (float)a10; row[4] = (float)a11; row[5] = (float)ty;
            any |= a00 != 1 || a01 != 0 || tx != 0 || a10 != 0 || a11 != 1 || ty != 0;
        }
        return (theta, any);
    }

    private static (float[] Contrast, float[] Brightness, bool Any) Lighting(int n, AugmentOptions options, Random random)
    {
        var contrast = new float[n];
        var brightness = new float[n];
        bool any = false;
        double l = options.MaxLighting;
        for (int i = 0; i < n; i++)
        {
            contrast[i] = 1;
            if (l == 0 || !(random.NextDouble() < options.LightingProbability)) continue;
            // Log-uniform contrast, so shrinking and stretching by the same factor are equally likely.
            contrast[i] = (float)Math.Exp(Uniform(random, Math.Log(1 - l), -Math.Log(1 - l)));
            brightness[i] = (float)Uniform(random, -l / 2, l / 2);
            any = true;
        }
        return (contrast, brightness, any);
    }

    private static double Uniform(Random random, double low, double high) => low + (high - low) * random.NextDouble();

    /// <summary>
    /// A generator for one batch that depends only on <paramref name="seed"/>, the epoch and the batch's index in it, so a
    /// resumed fit draws the same augmentation for the same batch.
    /// </summary>
    public static Random BatchRandom(int seed, int epoch, int batch)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)batch * 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return new Random((int)(z & 0x7FFFFFFF));
    }
}
