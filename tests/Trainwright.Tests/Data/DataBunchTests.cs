// Literal arrays make the expected values readable; these tests are not hot paths.
#pragma warning disable CA1861

using Trainwright.Data;
using static TorchSharp.torch;

namespace Trainwright.Tests.Data;

public class DataBunchTests
{
    [Fact]
    public void FromDatasetsShufflesTrainAndDoublesTheValidBatch()
    {
        using var x = arange(90, dtype: ScalarType.Float32).unsqueeze(1);
        using var y = tensor(Enumerable.Range(0, 90).Select(i => (long)(i % 7)).ToArray());
        using var vx = arange(30, dtype: ScalarType.Float32).unsqueeze(1);
        using var vy = tensor(Enumerable.Range(0, 30).Select(i => (long)(i % 3)).ToArray());
        var bunch = DataBunch.FromDatasets(new TensorPairDataset(x, y), new TensorPairDataset(vx, vy), 16, seed: 4);
        Assert.Equal(7, bunch.C);
        Assert.Equal(16, bunch.Train.BatchSize);
        Assert.Equal(32, bunch.Valid.BatchSize);
        Assert.Equal(6, bunch.Train.BatchCount);
        Assert.Equal(1, bunch.Valid.BatchCount);

        var trainOrder = bunch.Train.SelectMany(b => { using (b) return b.Xb.data<float>().ToArray(); }).ToArray();
        Assert.NotEqual(Enumerable.Range(0, 90).Select(i => (float)i), trainOrder);
        Assert.Equal(Enumerable.Range(0, 90).Select(i => (float)i), trainOrder.Order());
        var validOrder = bunch.Valid.SelectMany(b => { using (b) return b.Xb.data<float>().ToArray(); });
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (float)i), validOrder);
    }

    [Fact]
    public void ClassCountComesFromLabelsOrTargetWidth()
    {
        using var x = zeros(4, 2);
        using var labels = tensor(new long[] { 0, 5, 2, 1 });
        using var oneHot = zeros(4, 3);
        Assert.Equal(6, DataBunch.ClassCount(new TensorPairDataset(x, labels)));
        Assert.Equal(3, DataBunch.ClassCount(new TensorPairDataset(x, oneHot)));
        Assert.Equal(6, DataBunch.ClassCount(new ComputedDataset(6)));
    }
}
