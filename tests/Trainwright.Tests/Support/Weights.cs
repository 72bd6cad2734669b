using static TorchSharp.torch;

namespace Trainwright.Tests.Support;

internal static class Weights
{
    /// <summary>Every parameter of the model as one flat array of floats, in registration order.</summary>
    public static float[] Flat(nn.Module m) =>
        [.. m.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray())];

    public static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }
}
