using static TorchSharp.torch;

namespace Trainwright.Tests.Build;

public class SmokeTests
{
    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        using var t = ones(3, 3);
        Assert.Equal(9f, t.sum().item<float>());
    }
}
