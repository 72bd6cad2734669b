using Trainwright.Losses;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Tests.Metrics;

public class MetricsTests
{
    [Fact]
    public void AccuracyOfHandComputedCase()
    {
        using var scope = NewDisposeScope();
        var pred = tensor(new[,]
        {
            { 0.1f, 0.9f, 0.0f }, // argmax 1
            { 2.0f, 1.0f, 0.0f }, // argmax 0
            { 0.0f, 0.0f, 5.0f }, // argmax 2
            { 3.0f, 4.0f, 1.0f }, // argmax 1
        });
        var target = tensor(new long[] { 1, 2, 2, 0 });
        // Rows 0 and 2 are right: 2 / 4.
        var acc = ClassificationMetrics.AccuracyOf(pred, target);
        Assert.Equal(ScalarType.Float32, acc.dtype);
        Assert.Equal(0, acc.Dimensions);
        Assert.Equal(0.5f, acc.item<float>());
        Assert.Equal(0.5f, ClassificationMetrics.Accuracy.Compute(pred, target).item<float>());
        Assert.Equal("accuracy", ClassificationMetrics.Accuracy.Name);
    }

    [Fact]
    public void AccuracyEqualsTheComparisonOfArgMaxesCountedInManagedCode()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        foreach (var (rows, dtype, targetType) in new[] { (1, ScalarType.Float32, ScalarType.Int64), (64, ScalarType.Float64, ScalarType.Int32), (999, ScalarType.Float32, ScalarType.Int64) })
        {
            var pred = randn(new long[] { rows, 7 }, generator: g).to_type(dtype);
            var target = randint(0, 7, new long[] { rows }, generator: g).to_type(targetType);
            var arg = pred.argmax(1).data<long>().ToArray();
            var truth = target.to_type(ScalarType.Int64).data<long>().ToArray();
            var expected = (float)arg.Where((a, i) => a == truth[i]).Count() / rows;
            var acc = ClassificationMetrics.AccuracyOf(pred, target);
            Assert.Equal(ScalarType.Float32, acc.dtype);
            Assert.Equal(expected, acc.item<float>(), 1e-6f);
        }
    }

    [Fact]
    public void AccuracyRejectsMismatchedTargets()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => ClassificationMetrics.AccuracyOf(zeros(4, 3), tensor(new long[] { 0, 1 })));
        Assert.Equal("target", ex.ParamName);
    }
}
