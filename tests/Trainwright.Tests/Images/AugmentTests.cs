using Trainwright.Augment;
using static TorchSharp.torch;

namespace Trainwright.Tests.Images;

public class AugmentTests
{
    private static Tensor Images(int n = 4, int c = 3, int size = 8)
    {
        var g = new Generator(3);
        return randint(0, 256, [n, c, size, size], dtype: ScalarType.Byte, generator: g);
    }

    [Fact]
    public void No_augmentation_only_scales_to_zero_one()
    {
        using var x = Images();
        using var y = ImageAugmenter.Apply(x, AugmentOptions.None, new Random(1));
        using var expected = x.to_type(ScalarType.Float32) / 255f;
        Assert.True(y.allclose(expected, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void A_certain_horizontal_flip_equals_torch_flip()
    {
        using var x = Images();
        using var y = ImageAugmenter.Apply(x, AugmentOptions.None with { FlipHorizontal = 1 }, new Random(1));
        using var expected = x.flip(3).to_type(ScalarType.Float32) / 255f;
        Assert.True(y.allclose(expected, rtol: 0, atol: 1e-5));
        using var v = ImageAugmenter.Apply(x, AugmentOptions.None with { FlipVertical = 1 }, new Random(1));
        using var expectedV = x.flip(2).to_type(ScalarType.Float32) / 255f;
        Assert.True(v.allclose(expectedV, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void A_quarter_turn_equals_rot90()
    {
        // With MaxRotate 90 the angle is uniform in ±90°; find a seed whose first draws give ±90° by checking the matrix.
        var options = AugmentOptions.None with { AffineProbability = 1, MaxRotate = 90 };
        var (theta, any) = ImageAugmenter.Matrices(1, options, new Random(5));
        Assert.True(any);
        // The matrix is a rotation: orthonormal, determinant 1, no translation without zoom.
        Assert.Equal(1.0, theta[0] * theta[4] - theta[1] * theta[3], 5);
        Assert.Equal(theta[0], theta[4], 5);
        Assert.Equal(-theta[1], theta[3], 5);
        Assert.Equal(0f, theta[2]);
        // An exact quarter turn through grid_sample matches torch.rot90 (closed-form reference).
        using var x = Images(2, 1, 6);
        using var t = tensor(new float[] { 0, -1, 0, 1, 0, 0, 0, -1, 0, 1, 0, 0 }, [2, 2, 3]);
        using var grid = nn.functional.affine_grid(t, x.shape, align_corners: false);
        using var xf = x.to_type(ScalarType.Float32);
        using var turned = nn.functional.grid_sample(xf, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: false);
        using var r1 = xf.rot90(1, (2, 3));
        using var r3 = xf.rot90(3, (2, 3));
        Assert.True(turned.allclose(r1, atol: 1e-4) || turned.allclose(r3, atol: 1e-4));
    }

    [Fact]
    public void Zoom_draws_a_window_inside_the_image()
    {
        var options = AugmentOptions.None with { AffineProbability = 1, MinZoom = 2, MaxZoom = 2 };
        var (theta, _) = ImageAugmenter.Matrices(50, options, new Random(2));
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(0.5f, theta[6 * i], 5);
            Assert.Equal(0.5f, theta[6 * i + 4], 5);
            Assert.InRange(theta[6 * i + 2], -0.5f, 0.5f);
            Assert.InRange(theta[6 * i + 5], -0.5f, 0.5f);
        }
    }

    [Fact]
    public void The_default_preset_is_seeded_per_batch_and_stays_in_range()
    {
        using var x = Images(8, 3, 16);
        using var a = ImageAugmenter.Apply(x, AugmentOptions.Default, ImageAugmenter.BatchRandom(42, 1, 3));
        using var b = ImageAugmenter.Apply(x, AugmentOptions.Default, ImageAugmenter.BatchRandom(42, 1, 3));
        using var c = ImageAugmenter.Apply(x, AugmentOptions.Default, ImageAugmenter.BatchRandom(42, 1, 4));
        Assert.True(a.Equals(b));
        Assert.False(a.Equals(c));
        Assert.Equal(x.shape, a.shape);
        Assert.True(a.min().item<float>() >= 0 && a.max().item<float>() <= 1);
    }

    [Fact]
    public void Lighting_alone_is_an_affine_map_of_each_image()
    {
        // Contrast c and brightness b: y = (x − 0.5)·c + 0.5 + b, before clamping. Mid-grey inputs never clamp.
        var options = AugmentOptions.None with { LightingProbability = 1, MaxLighting = 0.2 };
        using var x = full(new long[] { 3, 1, 4, 4 }, 0.5f).add_(rand(3, 1, 4, 4).mul_(0.1f));
        using var y = ImageAugmenter.Apply(x, options, new Random(9));
        for (int i = 0; i < 3; i++)
        {
            var xi = x[i].flatten().data<float>().ToArray();
            var yi = y[i].flatten().data<float>().ToArray();
            double slope = (yi[1] - yi[0]) / (xi[1] - xi[0]);
            Assert.InRange(slope, 0.8 - 1e-3, 1 / 0.8 + 1e-3);
            for (int p = 0; p < xi.Length; p++) Assert.Equal(yi[0] + slope * (xi[p] - xi[0]), yi[p], 3);
        }
    }

    [Fact]
    public void Presets_by_name_and_bad_settings()
    {
        Assert.Same(AugmentOptions.Default, AugmentOptions.Preset("Default"));
        Assert.True(AugmentOptions.Preset("none").IsIdentity);
        Assert.False(AugmentOptions.Light.IsIdentity);
        Assert.Contains("none, light, default", Assert.Throws<ArgumentException>(() => AugmentOptions.Preset("heavy")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => (AugmentOptions.Default with { MaxZoom = 0.5 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (AugmentOptions.Default with { FlipHorizontal = 2 }).Validate());
    }
}
