using TorchSharp;
using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Callbacks;

public class BatchTransformTests
{
    [Fact]
    public void ReshapeKeepsTheBatchDimension()
    {
        using var x = arange(5 * 784, dtype: ScalarType.Float32).reshape(5, 784);
        var reshape = BatchTransform.ReshapeFunction(1, 28, 28);
        using var y = reshape(x);
        using var expected = x.view(-1, 1, 28, 28);
        Assert.Equal([5L, 1, 28, 28], y.shape);
        Assert.True(y.Equals(expected));

        using var z = BatchTransform.ReshapeFunction(-1, 28)(x);
        Assert.Equal([5L, 28, 28], z.shape);
    }

    [Fact]
    public void ReshapeSaysWhatDoesNotFit()
    {
        using var x = zeros(4, 700);
        var e = Assert.Throws<ArgumentException>(() => BatchTransform.ReshapeFunction(1, 28, 28)(x));
        Assert.Contains("784", e.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 700]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => BatchTransform.ReshapeFunction(-1, 3)(x)); // 700 is no multiple of 3

        Assert.Throws<ArgumentException>(() => BatchTransform.Reshape());
        Assert.Throws<ArgumentException>(() => BatchTransform.Reshape(0, 2));
        Assert.Throws<ArgumentException>(() => BatchTransform.Reshape(-1, -1));
        Assert.Throws<ArgumentException>(() => BatchTransform.Reshape(-2, 2));
    }

    private sealed class ShapeProbe : Callback
    {
        public List<long[]> Shapes { get; } = [];
        public override void BeforeBatch() => Shapes.Add(Learner.Xb.shape);
    }

    [Fact]
    public void TransformsEveryTrainingAndValidationBatchBeforeTheModelSeesIt()
    {
        // 12 features reshaped to 3x4 per item; the model flattens them again, so it only runs if the transform ran.
        var data = Tiny.Data(trainItems: 16, validItems: 8, batchSize: 8, features: 12);
        manual_seed(3);
        var model = nn.Sequential(nn.Flatten(), nn.Linear(12, 3));
        var probe = new ShapeProbe();
        int targetCalls = 0;
        var transform = new BatchTransform(BatchTransform.ReshapeFunction(3, 4), y => { targetCalls++; return y.clone(); });
        var learner = new Learner(model, data, (p, y) => nn.functional.cross_entropy(p, y), PlainSgd.Factory, 0.1, [transform, probe]);

        learner.Fit(1);

        Assert.Equal(3, probe.Shapes.Count); // 2 training + 1 validation batch
        Assert.All(probe.Shapes, s => Assert.Equal([8L, 3, 4], s));
        Assert.Equal(3, targetCalls);
    }
}
