using TorchSharp;
using Trainwright.Losses;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Trainwright.Tests.Losses;

public class LossFunctionsTests
{
    private const double Tol = 1e-5;

    private static (Tensor Logits, Tensor Target) Random(int rows, int classes, double scale, int seed)
    {
        var gen = new Generator((ulong)seed);
        var logits = (randn(rows, classes, generator: gen) * scale).to_type(ScalarType.Float32);
        var target = randint(0, classes, [rows], generator: gen, dtype: ScalarType.Int64);
        return (logits, target);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol = Tol)
    {
        Assert.Equal(expected.shape, actual.shape);
        var maxDiff = (expected - actual).abs().max().ToDouble();
        Assert.True(maxDiff <= tol, $"max |difference| {maxDiff:G4} exceeds {tol:G2}");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e4)]
    public void LogSumExpMatchesTorch(double scale)
    {
        using var scope = NewDisposeScope();
        var (x, _) = Random(64, 10, scale, seed: 1);
        AssertClose(x.logsumexp(-1), LossFunctions.LogSumExp(x), Tol * scale);
        AssertClose(x.logsumexp(-1, keepdim: true), LossFunctions.LogSumExp(x, keepDim: true), Tol * scale);
    }

    [Fact]
    public void NaiveLogSumExpOverflowsOnLargeLogitsButOursDoesNot()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[,] { { 1e4f, -1e4f, 0f }, { -1e4f, -1e4f + 1f, -1e4f } });
        var naive = x.exp().sum(-1).log();
        Assert.True(naive[0].isinf().item<bool>(), "exp(1e4) should overflow float32 to +inf");
        Assert.True(naive[1].isinf().item<bool>(), "exp(-1e4) should underflow to 0 and log(0) be -inf");

        var ours = LossFunctions.LogSumExp(x);
        Assert.True(ours.isfinite().all().item<bool>());
        // Closed form: row 0 is 1e4 + log(1 + e^-1e4 + e^-2e4) = 1e4; row 1 is (-1e4 + 1) + log(1 + 2e^-1).
        AssertClose(tensor(new[] { 1e4f, (float)(-1e4 + 1 + Math.Log(1 + 2 * Math.Exp(-1))) }), ours, 1e-3);
        AssertClose(x.logsumexp(-1), ours, 1e-3);

        var naiveSoftmax = x - naive.unsqueeze(-1);
        Assert.True(naiveSoftmax.isnan().any().item<bool>() || naiveSoftmax.isinf().any().item<bool>());
        AssertClose(F.log_softmax(x, -1), LossFunctions.LogSoftmax(x), 1e-3);
    }

    [Fact]
    public void LogSumExpOfAllMinusInfinityRowIsMinusInfinity()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[,] { { float.NegativeInfinity, float.NegativeInfinity }, { 0f, float.NegativeInfinity } });
        var ours = LossFunctions.LogSumExp(x);
        Assert.Equal(float.NegativeInfinity, ours[0].item<float>());
        Assert.Equal(0f, ours[1].item<float>(), 6);
        Assert.Equal(x.logsumexp(-1)[0].item<float>(), ours[0].item<float>());
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e4)]
    public void LogSoftmaxMatchesTorch(double scale)
    {
        using var scope = NewDisposeScope();
        var (x, _) = Random(64, 10, scale, seed: 2);
        // Log-probabilities are differences of large numbers when the scale is large; compare relative to it.
        AssertClose(F.log_softmax(x, -1), LossFunctions.LogSoftmax(x), Tol * scale);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e4)]
    public void NllMatchesTorch(double scale)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Random(64, 10, scale, seed: 3);
        var logProbs = F.log_softmax(x, -1);
        AssertClose(F.nll_loss(logProbs, y), LossFunctions.Nll(logProbs, y), Tol * scale);
    }

    [Theory]
    [InlineData(1.0, 10)]
    [InlineData(1e4, 10)]
    [InlineData(1.0, 1000)]
    public void CrossEntropyMatchesTorch(double scale, int classes)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Random(64, classes, scale, seed: 4);
        AssertClose(F.cross_entropy(x, y), LossFunctions.CrossEntropy(x, y), Tol * scale);
    }

    [Theory]
    [InlineData(1.0, 10)]
    [InlineData(1e4, 10)]
    [InlineData(1.0, 1000)]
    public void FusedCrossEntropyMatchesTorch(double scale, int classes)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Random(64, classes, scale, seed: 4);
        AssertClose(F.cross_entropy(x, y), LossFunctions.FusedCrossEntropy(x, y), Tol * scale);
        Assert.Same(LossFunctions.CrossEntropyLoss, LossFunctions.CrossEntropyLoss);
        // The default (libtorch's kernel) against the lesson's from-scratch form, an independent implementation.
        AssertClose(LossFunctions.CrossEntropy(x, y), LossFunctions.CrossEntropyLoss(x, y), Tol * scale);
        AssertClose(LossFunctions.CrossEntropy(x, y), LossFunctions.NativeCrossEntropy(x, y), Tol * scale);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void LabelSmoothingMatchesItsClosedForm(double eps)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Random(32, 7, 2.0, seed: 8);
        // (1 − ε)·NLL + ε·(mean over classes of −log p), by the lesson's from-scratch pieces.
        var logp = LossFunctions.LogSoftmax(x);
        var expected = LossFunctions.Nll(logp, y) * (1 - eps) + logp.mean([1]).neg().mean() * eps;
        AssertClose(expected, LossFunctions.LabelSmoothingCrossEntropy(eps)(x, y));
        Assert.Same(LossFunctions.CrossEntropyLoss, LossFunctions.LabelSmoothingCrossEntropy(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LossFunctions.LabelSmoothingCrossEntropy(1));
        Assert.Contains("class index 9", Assert.Throws<ArgumentException>(
            () => LossFunctions.LabelSmoothingCrossEntropy(eps)(x, full(32, 9L, dtype: ScalarType.Int64))).Message);
    }

    /// <summary>The three cross entropies under test, by name, so each theory covers all of them.</summary>
    private static Tensor CrossEntropyBy(string form, Tensor x, Tensor y) => form switch
    {
        "scratch" => LossFunctions.CrossEntropy(x, y),
        "fused" => LossFunctions.FusedCrossEntropy(x, y),
        "native" => LossFunctions.NativeCrossEntropy(x, y),
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, "unknown form"),
    };

    [Theory]
    [InlineData(1.0, "scratch")]
    [InlineData(1e4, "scratch")]
    [InlineData(1.0, "fused")]
    [InlineData(1e4, "fused")]
    [InlineData(1.0, "native")]
    public void CrossEntropyGradientMatchesTorch(double scale, string form)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Random(64, 10, scale, seed: 5);
        var ours = x.detach().clone().requires_grad_();
        var theirs = x.detach().clone().requires_grad_();
        // Scale the loss so the incoming gradient is not 1 and the backward pass must use it.
        (CrossEntropyBy(form, ours, y) * 3).backward();
        // The reference is the lesson's from-scratch form for the native kernel (which is torch's own), torch's otherwise.
        ((form == "native" ? LossFunctions.CrossEntropy(theirs, y) : F.cross_entropy(theirs, y)) * 3).backward();
        // d(loss)/d(logits) = (softmax − onehot)/n whatever the scale, so the tolerance stays absolute.
        AssertClose(theirs.grad!, ours.grad!);
        Assert.True(ours.grad!.abs().sum().ToDouble() > 0);
    }

    [Fact]
    public void LogSumExpGradientMatchesTorch()
    {
        using var scope = NewDisposeScope();
        var (x, _) = Random(16, 7, 3.0, seed: 6);
        var ours = x.detach().clone().requires_grad_();
        var theirs = x.detach().clone().requires_grad_();
        var weights = arange(16, dtype: ScalarType.Float32);
        (LossFunctions.LogSumExp(ours) * weights).sum().backward();
        (theirs.logsumexp(-1) * weights).sum().backward();
        AssertClose(theirs.grad!, ours.grad!);
    }

    [Fact]
    public void NllPicksTargetEntriesByIndexing()
    {
        using var scope = NewDisposeScope();
        var logProbs = tensor(new[,] { { -1f, -2f, -3f }, { -4f, -5f, -6f } });
        var y = tensor(new long[] { 2, 0 });
        // −(−3 + −4)/2 = 3.5
        Assert.Equal(3.5f, LossFunctions.Nll(logProbs, y).item<float>(), 6);
        Assert.Equal(0, LossFunctions.Nll(logProbs, y).Dimensions);
    }

    [Fact]
    public void Int32TargetsWork()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Random(8, 5, 1.0, seed: 7);
        AssertClose(F.cross_entropy(x, y), LossFunctions.CrossEntropy(x, y.to_type(ScalarType.Int32)));
        AssertClose(LossFunctions.CrossEntropy(x, y), LossFunctions.NativeCrossEntropy(x, y.to_type(ScalarType.Int32)));
    }

    [Fact]
    public void TargetCountDifferentFromRowsIsRejected()
    {
        using var scope = NewDisposeScope();
        var x = zeros(4, 3);
        var ex = Assert.Throws<ArgumentException>(() => LossFunctions.CrossEntropy(x, tensor(new long[] { 0, 1, 2 })));
        Assert.Equal("target", ex.ParamName);
        Assert.Throws<ArgumentException>(() => LossFunctions.FusedCrossEntropy(x, tensor(new long[] { 0, 1, 2 })));
        Assert.Throws<ArgumentException>(() => LossFunctions.NativeCrossEntropy(x, tensor(new long[] { 0, 1, 2 })));
        Assert.Contains("3 class indices", ex.Message);
        Assert.Contains("4 rows", ex.Message);
    }

    [Theory]
    [InlineData(3, "scratch")]
    [InlineData(-1, "scratch")]
    [InlineData(3, "fused")]
    [InlineData(-1, "fused")]
    [InlineData(3, "native")]
    [InlineData(-1, "native")]
    public void TargetOutOfRangeIsRejected(long bad, string form)
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3);
        var y = tensor(new long[] { 0, bad });
        var ex = Assert.Throws<ArgumentException>(() => CrossEntropyBy(form, x, y));
        Assert.Contains($"class index {bad}", ex.Message);
        Assert.Contains("[0, 3)", ex.Message);
    }

    [Fact]
    public void FloatTargetsAndWrongShapesAreRejected()
    {
        using var scope = NewDisposeScope();
        var floatTargets = ones(2);
        Assert.Throws<ArgumentException>(() => LossFunctions.CrossEntropy(zeros(2, 3), floatTargets));
        Assert.Throws<ArgumentException>(() => LossFunctions.CrossEntropy(zeros(6), tensor(new long[] { 0 })));
        Assert.Throws<ArgumentException>(() => LossFunctions.Nll(zeros(2, 3), zeros(2, 1, dtype: ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => LossFunctions.LogSumExp(tensor(1f)));
    }
}
