using Trainwright.Data;
using static TorchSharp.torch;

namespace Trainwright.Tests.Data.Idx;

public sealed class BytePixelsTests
{
    private static byte[] Pixels(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count];
        // MNIST-like: mostly 0, some 255, the rest anywhere.
        for (int i = 0; i < count; i++) pixels[i] = (byte)(random.NextDouble() < 0.7 ? 0 : random.NextDouble() < 0.3 ? 255 : random.Next(256));
        return pixels;
    }

    [Theory]
    [InlineData(10, 16)]       // the serial path
    [InlineData(1500, 784)]    // over a million pixels: the parallel path
    public void StatsAndFloatsMatchTheTensorRoute(int rows, int rowLength)
    {
        var pixels = Pixels((rows + 7) * rowLength, rows);
        using var scope = NewDisposeScope();
        // The reference: the route MnistData takes for other element types.
        var x = tensor(pixels).narrow(0, 3L * rowLength, (long)rows * rowLength).reshape(rows, rowLength).to(ScalarType.Float32).div_(255f);
        float mean = x.mean().item<float>(), std = x.std().item<float>();

        var (byteMean, byteStd) = BytePixels.Stats(pixels, 3L * rowLength, (long)rows * rowLength);
        // The histogram sums exactly in double; libtorch sums float32: they agree to float32's precision.
        Assert.Equal(mean, byteMean, 1e-6f * Math.Abs(mean));
        Assert.Equal(std, byteStd, 1e-6f * std);

        var plain = BytePixels.ToFloat(pixels, 3, rows, rowLength, null);
        Assert.Equal([rows, rowLength], plain.shape);
        Assert.True(plain.Equals(x), "pixel / 255 must be the same float32 division");

        var normalized = BytePixels.ToFloat(pixels, 3, rows, rowLength, (byteMean, byteStd));
        var expected = x.sub(byteMean).div_(byteStd);
        Assert.True(normalized.Equals(expected), "(x - mean) / std must be the same float32 operations");
    }

    [Fact]
    public void OneRowHasNoStd()
    {
        var (mean, std) = BytePixels.Stats([0, 255], 1, 1);
        Assert.Equal(1f, mean);
        Assert.True(float.IsNaN(std));
    }
}
