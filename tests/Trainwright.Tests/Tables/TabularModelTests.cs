using Trainwright.Models;
using static TorchSharp.torch;

namespace Trainwright.Tests.Tables;

public class TabularModelTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(4, 3)]
    [InlineData(10, 6)]
    [InlineData(100, 21)]
    [InlineData(1000, 77)]
    [InlineData(1_000_000, 600)]
    public void EmbeddingSizesFollowFastaisRule(int n, int expected) => Assert.Equal(expected, TabularModelSettings.EmbeddingSizeRule(n));

    [Fact]
    public void TakesOnePackedTensorAndUsesEveryPart()
    {
        var settings = new TabularModelSettings([4, 10], 3, 5) { Layers = [8, 6], Dropouts = [0.1, 0.1], EmbeddingDropout = 0.05 };
        using var model = new TabularModel(settings, new Generator(1));
        // Parameters: embeddings 4·3 + 10·6, BN(3) 2·3, lin0 (9+3)·8 no bias, BN(8) 16, lin1 8·6, BN(6) 12, head 6·5 + 5.
        Assert.Equal(4 * 3 + 10 * 6 + 6 + 12 * 8 + 16 + 8 * 6 + 12 + 6 * 5 + 5, model.parameters().Sum(p => p.numel()));
        model.eval();
        using var x = tensor(new float[] { 1, 7, 0.5f, -1, 2, 3, 0, 0.1f, 0.2f, 0.3f }).reshape(2, 5);
        using var y = model.call(x);
        Assert.Equal([2L, 5], y.shape);
        // Changing a code or a value changes that row's output only.
        using var x2 = x.clone();
        x2[0, 1] = tensor(8f);
        using var y2 = model.call(x2);
        Assert.False(y2[0].allclose(y[0]));
        Assert.True(y2[1].allclose(y[1]));
        using var bad = zeros(2, 4);
        Assert.Throws<ArgumentException>(() => model.call(bad));
    }

    [Fact]
    public void YRangeBoundsTheOutput()
    {
        using var model = new TabularModel(new TabularModelSettings([], 2, 1) { YRange = new YRange(-1, 3) }, new Generator(2));
        model.eval();
        using var x = randn(64, 2, generator: new Generator(3)) * 100;
        using var y = model.call(x);
        Assert.True(y.min().item<float>() >= -1 && y.max().item<float>() <= 3);
        Assert.True(y.max().item<float>() - y.min().item<float>() > 0.1);
    }

    [Fact]
    public void InconsistentSettingsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new TabularModel(new TabularModelSettings([], 0, 1)));
        Assert.Throws<ArgumentException>(() => new TabularModel(new TabularModelSettings([3], 1, 2) { Dropouts = [0.1] }));
        Assert.Throws<ArgumentException>(() => new TabularModel(new TabularModelSettings([3], 1, 2) { YRange = new YRange(2, 1) }));
    }

    [Fact]
    public void SettingsRoundTripThroughJson()
    {
        var settings = new TabularModelSettings([4, 10], 3, 5) { Layers = [8], Dropouts = [0.2], YRange = new YRange(0, 1) };
        var json = System.Text.Json.JsonSerializer.Serialize(settings);
        var back = System.Text.Json.JsonSerializer.Deserialize<TabularModelSettings>(json)!;
        Assert.Equal(json, System.Text.Json.JsonSerializer.Serialize(back));
        Assert.Equal(settings.ResolvedEmbeddingSizes(), back.ResolvedEmbeddingSizes());
    }
}
