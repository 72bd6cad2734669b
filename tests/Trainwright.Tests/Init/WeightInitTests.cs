using TorchSharp;
using Trainwright.Init;
using static TorchSharp.torch;

namespace Trainwright.Tests.Init;

public class WeightInitTests
{
    // 512·512·3·3 ≈ 2.4M samples: the sample std is within ~0.05% of the true one, so 2% is a safe, still strict bound.
    private static Tensor BigConvWeight() => empty(512, 512, 3, 3);

    [Fact]
    public void GainsMatchTheirFormulas()
    {
        Assert.Equal(1.0, WeightInit.CalculateGain(Nonlinearity.LeakyReLU, 1), 12);
        Assert.Equal(Math.Sqrt(2), WeightInit.CalculateGain(Nonlinearity.ReLU), 12);
        Assert.Equal(Math.Sqrt(2), WeightInit.CalculateGain(Nonlinearity.LeakyReLU, 0), 12);
        Assert.Equal(1.41414, WeightInit.CalculateGain(Nonlinearity.LeakyReLU, 0.01), 5);
        Assert.Equal(0.57735, WeightInit.CalculateGain(Nonlinearity.LeakyReLU, Math.Sqrt(5)), 5);
        Assert.Equal(1.0, WeightInit.CalculateGain(Nonlinearity.Linear), 12);
        Assert.Equal(1.0, WeightInit.CalculateGain(Nonlinearity.Conv), 12);
        Assert.Equal(1.0, WeightInit.CalculateGain(Nonlinearity.Sigmoid), 12);
        Assert.Equal(5.0 / 3.0, WeightInit.CalculateGain(Nonlinearity.Tanh), 12);
        Assert.Equal(0.75, WeightInit.CalculateGain(Nonlinearity.Selu), 12);
    }

    [Fact]
    public void FansOfConvAndLinearWeights()
    {
        using var conv = nn.Conv2d(1, 32, 5);
        Assert.Equal((25L, 800L), WeightInit.Fans(conv.weight!));
        using var linear = nn.Linear(10, 20);
        Assert.Equal((10L, 20L), WeightInit.Fans(linear.weight));
        using var conv3d = empty([4, 6, 2, 3, 5]);
        Assert.Equal((6L * 30, 4L * 30), WeightInit.Fans(conv3d));
        // TorchSharp's own computation agrees.
        Assert.Equal(nn.init.CalculateFanInAndFanOut(conv.weight!), WeightInit.Fans(conv.weight!));
    }

    [Fact]
    public void FansRejectBiasesAndScalars()
    {
        using var bias = empty(10);
        var e = Assert.Throws<ArgumentException>(() => WeightInit.Fans(bias));
        Assert.Contains("at least 2 dimensions", e.Message, StringComparison.Ordinal);
        using var scalar = tensor(1.0f);
        Assert.Throws<ArgumentException>(() => WeightInit.Fans(scalar));
        Assert.Throws<ArgumentException>(() => WeightInit.KaimingNormal_(bias));
    }

    [Fact]
    public void UniformMinusOneToOneHasStdOneOverRootThree()
    {
        using var g = new Generator(1);
        using var u = empty(1_000_000).uniform_(-1, 1, g);
        Assert.InRange(Moments.Std(u) * Math.Sqrt(3), 0.99, 1.01);
    }

    [Theory]
    [InlineData(0.0, FanMode.FanIn)]
    [InlineData(0.0, FanMode.FanOut)]
    [InlineData(1.0, FanMode.FanIn)]
    [InlineData(2.2360679774997896, FanMode.FanIn)]
    public void KaimingNormalAndUniformHitTheirStd(double a, FanMode mode)
    {
        // Weight [256, 512, 3, 3]: fan-in 4608 differs from fan-out 2304, so a mode mix-up would show.
        using var w = empty(256, 512, 3, 3);
        double fan = mode == FanMode.FanIn ? 512 * 9 : 256 * 9;
        double expected = Math.Sqrt(2.0 / (1 + a * a)) / Math.Sqrt(fan);
        using var g = new Generator(7);

        WeightInit.KaimingNormal_(w, a, mode, generator: g);
        AssertStd(w, expected);
        Assert.InRange(Moments.Kurtosis(w), 2.95, 3.05);

        WeightInit.KaimingUniform_(w, a, mode, generator: g);
        AssertStd(w, expected);
        Assert.InRange(Moments.Kurtosis(w), 1.75, 1.85);
        // A uniform's bound is √3·std.
        Assert.True(w.abs().max().ToDouble() <= Math.Sqrt(3) * expected * 1.0000001);
    }

    [Fact]
    public void KaimingUniformRootFiveReproducesTorchSharpsDefaultConvInitExactly()
    {
        // Conv2d's constructor draws its weight first, from the global generator; a fresh Generator with the same seed
        // yields the same stream, so the same formula (bound = gain(√5)·√3/√fanIn) must give the same numbers.
        manual_seed(1234);
        using var conv = nn.Conv2d(16, 32, 5);
        using var ours = empty(32, 16, 5, 5);
        using var g = new Generator(1234);
        WeightInit.KaimingUniform_(ours, Math.Sqrt(5), generator: g);
        Assert.True(ours.allclose(conv.weight!, rtol: 1e-6, atol: 1e-7));
        // And that bound is 1/√fanIn: gain(√5) = 1/√3 cancels the uniform's √3.
        Assert.True(ours.abs().max().ToDouble() <= 1 / Math.Sqrt(16 * 25) * 1.000001);
    }

    [Fact]
    public void XavierNormalAndUniformHitTheirStd()
    {
        using var w = BigConvWeight();
        double expected = Math.Sqrt(2.0 / (4608 + 4608));
        using var g = new Generator(3);
        WeightInit.XavierNormal_(w, generator: g);
        AssertStd(w, expected);
        WeightInit.XavierUniform_(w, gain: 2, generator: g);
        AssertStd(w, 2 * expected);
        using var linear = empty(4096, 1024);
        WeightInit.XavierNormal_(linear, generator: g);
        AssertStd(linear, Math.Sqrt(2.0 / (4096 + 1024)));
    }

    [Fact]
    public void OurXavierNormalIsNormalButTorchSharps_IsUniform()
    {
        using var ours = BigConvWeight();
        using var g = new Generator(11);
        WeightInit.XavierNormal_(ours, generator: g);
        // Normal: kurtosis 3, P(|z| > 2) = 4.55%, and with 2.4M samples some lie beyond 4σ.
        Assert.InRange(Moments.Kurtosis(ours), 2.97, 3.03);
        Assert.InRange(Moments.FractionBeyond(ours, 2), 0.0435, 0.0475);
        Assert.True(Moments.FractionBeyond(ours, 4) > 0);

        using var theirs = BigConvWeight();
        nn.init.xavier_normal_(theirs);
        // Same std (the formula is right)...
        AssertStd(theirs, Math.Sqrt(2.0 / (4608 + 4608)));
        // ...but the shape is a uniform's: kurtosis 1.8, nothing beyond √3σ (so nothing beyond 2σ).
        Assert.InRange(Moments.Kurtosis(theirs), 1.77, 1.83);
        Assert.Equal(0.0, Moments.FractionBeyond(theirs, Math.Sqrt(3) * 1.001));
        Assert.Equal(0.0, Moments.FractionBeyond(theirs, 2));
    }

    [Fact]
    public void TorchSharpsTruncNormalIsAConstant()
    {
        using var theirs = empty(1000);
        nn.init.trunc_normal_(theirs, mean: 0, std: 1, a: -2, b: 2);
        // Every element is the same value: no spread at all.
        Assert.Equal(0.0, Moments.Std(theirs));
    }

    [Theory]
    [InlineData(0.0, 1.0, -2.0, 2.0)]
    [InlineData(0.0, 0.02, -0.04, 0.04)]
    [InlineData(1.0, 2.0, 0.0, 6.0)]
    public void OurTruncNormalHasTheTruncatedMomentsAndStaysInBounds(double mean, double std, double a, double b)
    {
        using var w = empty(1_000_000);
        using var g = new Generator(5);
        WeightInit.TruncNormal_(w, mean, std, a, b, g);
        Assert.True(w.min().ToDouble() >= a);
        Assert.True(w.max().ToDouble() <= b);

        // Truncated-normal moments by numerical integration of the density on [α, β] (standardised bounds).
        double alpha = (a - mean) / std, beta = (b - mean) / std;
        double z = Moments.Integrate(Moments.Phi, alpha, beta);
        double m1 = Moments.Integrate(x => x * Moments.Phi(x), alpha, beta) / z;
        double m2 = Moments.Integrate(x => x * x * Moments.Phi(x), alpha, beta) / z;
        double expectedMean = mean + std * m1;
        double expectedStd = std * Math.Sqrt(m2 - m1 * m1);
        AssertStd(w, expectedStd, 0.01, centred: false);
        Assert.True(Math.Abs(Moments.Mean(w) - expectedMean) < 0.01 * expectedStd,
            $"mean {Moments.Mean(w)} vs expected {expectedMean}");
        if (alpha == -2 && beta == 2) Assert.InRange(expectedStd / std, 0.879, 0.880); // the known 0.8796 for ±2σ
    }

    [Theory]
    [InlineData(256, 512)]
    [InlineData(512, 256)]
    [InlineData(300, 300)]
    public void OrthogonalGivesOrthonormalRowsOrColumns(int rows, int cols)
    {
        using var w = empty(rows, cols);
        using var g = new Generator(2);
        WeightInit.Orthogonal_(w, gain: 1, generator: g);
        using var scope = NewDisposeScope();
        var product = rows <= cols ? w.matmul(w.t()) : w.t().matmul(w);
        var identity = eye(Math.Min(rows, cols));
        Assert.True((product - identity).abs().max().ToDouble() < 1e-4);
    }

    [Fact]
    public void OrthogonalFlattensConvWeightsAndAppliesGain()
    {
        using var conv = nn.Conv2d(32, 64, 3);
        using var g = new Generator(4);
        var returned = WeightInit.Orthogonal_(conv.weight!, gain: 2, generator: g);
        Assert.Same(conv.weight, returned);
        using var scope = NewDisposeScope();
        var flat = conv.weight!.detach().reshape(64, -1);
        var product = flat.matmul(flat.t());
        Assert.True((product - 4 * eye(64)).abs().max().ToDouble() < 1e-3);
        Assert.True(conv.weight!.requires_grad);
    }

    [Fact]
    public void SameGeneratorSeedGivesSameWeights()
    {
        var inits = new Func<Tensor, Generator, Tensor>[]
        {
            (w, g) => WeightInit.KaimingNormal_(w, generator: g),
            (w, g) => WeightInit.KaimingUniform_(w, generator: g),
            (w, g) => WeightInit.XavierNormal_(w, generator: g),
            (w, g) => WeightInit.XavierUniform_(w, generator: g),
            (w, g) => WeightInit.Orthogonal_(w, generator: g),
            (w, g) => WeightInit.TruncNormal_(w, generator: g),
        };
        foreach (var init in inits)
        {
            using var a = empty(16, 8, 3, 3);
            using var b = empty(16, 8, 3, 3);
            using var c = empty(16, 8, 3, 3);
            using (var g1 = new Generator(123)) init(a, g1);
            using (var g2 = new Generator(123)) init(b, g2);
            using (var g3 = new Generator(124)) init(c, g3);
            Assert.True(a.Equals(b));
            Assert.False(a.Equals(c));
        }
    }

    [Fact]
    public void InitialisesParametersInPlaceUnderNoGrad()
    {
        using var conv = nn.Conv2d(8, 16, 3);
        var before = conv.weight!;
        var returned = WeightInit.KaimingNormal_(conv.weight!, 0);
        Assert.Same(before, returned);
        Assert.Same(before, conv.weight);
        Assert.True(conv.weight!.requires_grad);
    }

    private static void AssertStd(Tensor w, double expected, double relTol = 0.02, bool centred = true)
    {
        double std = Moments.Std(w), mean = Moments.Mean(w);
        Assert.True(Math.Abs(std / expected - 1) < relTol, $"std {std} vs expected {expected}");
        if (!centred) return;
        // The sample mean's own std is std/√N; 5·std/√N is far beyond chance.
        Assert.True(Math.Abs(mean) < 5 * expected / Math.Sqrt(w.numel()) + 1e-12 || Math.Abs(mean) < 0.01 * expected,
            $"mean {mean} not ≈ 0 (std {expected})");
    }
}
