using Trainwright.Models;
using static TorchSharp.torch;

namespace Trainwright.Tests.Models;

public class ModelsTests
{
    [Fact]
    public void MlpHasTheLessonsShapes()
    {
        using var m = Mlp.Create(784, 50, 10);
        Assert.Equal(784 * 50 + 50 + 50 * 10 + 10, m.parameters().Sum(p => p.numel()));
        using var x = randn(3, 784);
        using var y = m.call(x);
        Assert.Equal([3L, 10L], y.shape);
    }

    [Theory]
    [InlineData(28, 10)]
    [InlineData(14, 4)]
    public void CnnMapsImagesOfAnySizeToClassScores(int size, int classes)
    {
        using var m = Cnn.Create(1, classes);
        using var x = randn(2, 1, size, size);
        using var y = m.call(x);
        Assert.Equal([2L, (long)classes], y.shape);
    }

    [Fact]
    public void CnnForwardMacsMatchAHandCount()
    {
        // One 3x3 block 1->4 channels at stride 2 on 8x8: output 4x4, so 4*4*4*1*9 MACs, plus a 4->3 head.
        Assert.Equal(4 * 4 * 4 * 1 * 9 + 4 * 3, Cnn.ForwardMacs(1, 3, 8, 8, [(4, 2)]));
    }

    [Theory]
    [InlineData(1, 28, 10)]
    [InlineData(3, 40, 4)]
    [InlineData(1, 20, 2)]
    public void FastCnnMapsImagesOfAnySizeToClassScores(int channels, int size, int classes)
    {
        using var m = FastCnn.Create(channels, classes);
        using var x = randn(2, channels, size, size);
        using var y = m.call(x);
        Assert.Equal([2L, (long)classes], y.shape);
    }

    [Fact]
    public void FastCnnOnMnistHasTheAnchorsSize()
    {
        // 5x5 conv 1->24 on 28x28 gives 24x24; pool to 12; 3x3 conv 24->32 gives 10x10; pool to 5; dense 800->256->10.
        long macs = 24 * 24 * 24 * 1 * 25 + 10 * 10 * 32 * 24 * 9 + 32 * 5 * 5 * 256 + 256 * 10;
        Assert.Equal(macs, FastCnn.ForwardMacs(1, 10, 28, 28));
        using var m = FastCnn.Create(1, 10);
        long parameters = 24 * 25 + 2 * 24 + 32 * 24 * 9 + 2 * 32 + 800 * 256 + 256 + 256 * 10 + 10;
        Assert.Equal(parameters, m.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void BadSizesAreRefused()
    {
        Assert.Equal("hidden", Assert.Throws<ArgumentOutOfRangeException>(() => Mlp.Create(4, 0, 2)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Cnn.Create(1, 10, [(8, 3)]));
    }
}
