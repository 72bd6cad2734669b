using Trainwright.Models;
using static TorchSharp.torch;

namespace Trainwright.Tests.Images;

public class XResNetTests
{
    [Theory]
    [InlineData(18, 1, 28, 0.25)]
    [InlineData(34, 3, 32, 0.125)]
    public void Any_channels_and_size_map_to_class_scores(int depth, int channels, int size, double width)
    {
        using var model = XResNet.Create(channels, 5, depth, width);
        model.eval();
        using var x = randn(2, channels, size, size);
        using var y = model.call(x);
        Assert.Equal([2L, 5], y.shape);
        int blocks = model.modules().OfType<ResBlock>().Count();
        Assert.Equal(XResNet.Depths[depth].Sum(), blocks);
    }

    [Fact]
    public void Every_block_starts_as_its_shortcut_and_convs_get_kaiming_normal()
    {
        using var model = XResNet.XResNet18(1, 3, width: 0.25);
        model.eval();
        var identityBlock = model.modules().OfType<ResBlock>().First(b => b.Shortcut is null);
        using var x = randn(2, identityBlock.InChannels, 6, 6);
        using var y = identityBlock.call(x);
        using var relu = nn.functional.relu(x);
        Assert.True(y.allclose(relu, rtol: 0, atol: 0)); // zero-initialised last BN: ReLU(0 + x)
        // The widest conv has 3·3·128 fan-in: its weights' std ≈ √(2 / 1152) ≈ 0.0417.
        var conv = model.modules().OfType<TorchSharp.Modules.Conv2d>().Last(c => c.weight!.shape[2] == 3);
        double fanIn = conv.weight!.shape[1] * 9;
        double std = conv.weight.std().item<float>();
        Assert.InRange(std, 0.95 * Math.Sqrt(2 / fanIn), 1.05 * Math.Sqrt(2 / fanIn));
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => XResNet.Create(3, 10, depth: 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => XResNet.Create(3, 10, width: 0));
    }
}
