using Trainwright.Data.Images;
using static TorchSharp.torch;

namespace Trainwright.Tests.Images;

/// <summary><see cref="ImagePreprocessing.Normalize"/> against (x/255 − mean)/std computed per pixel in double.</summary>
public class NormalizeTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public void Normalize_is_the_closed_form_per_channel_for_bytes_and_unit_floats(int channels, bool floats)
    {
        using var scope = NewDisposeScope();
        float[] mean = [0.13f, 0.45f, 0.62f], std = [0.31f, 0.07f, 0.25f];
        var pre = new ImagePreprocessing(5, ResizeMethod.Squish, channels, mean[..channels], std[..channels]);
        manual_seed(4);
        var bytes = randint(0, 256, [2, channels, 5, 5], dtype: ScalarType.Byte);
        var input = floats ? bytes.to_type(ScalarType.Float32).div(255f) : bytes;
        var actual = pre.Normalize(input);
        Assert.Equal(ScalarType.Float32, actual.dtype);
        Assert.Equal(bytes.shape, actual.shape);
        var px = bytes.data<byte>().ToArray();
        var unit = input.to_type(ScalarType.Float32).data<float>().ToArray();
        var got = actual.data<float>().ToArray();
        int plane = 25;
        for (int i = 0; i < px.Length; i++)
        {
            int c = i / plane % channels;
            double x = floats ? unit[i] : px[i] / 255.0;
            double expected = (x - mean[c]) / std[c];
            // float32 rounding of a two-step multiply-add on values up to |14|: within 4e-6 absolute.
            Assert.True(Math.Abs(got[i] - expected) <= 4e-6, $"[{i}] channel {c}: {got[i]} vs {expected}");
        }
        // A strided view of the bytes takes the tensor route instead of the vectorised pass: the two agree.
        var strided = input.transpose(2, 3);
        Assert.False(strided.is_contiguous());
        Assert.True(pre.Normalize(strided).allclose(pre.Normalize(strided.contiguous()), rtol: 0, atol: 2e-6));
        // Float input is not changed in place.
        if (floats) Assert.True(input.allclose(bytes.to_type(ScalarType.Float32).div(255f)));
    }
}
