using Trainwright.Data;
using static TorchSharp.torch;

namespace Trainwright.Tests.Data;

public class TensorPairDatasetGatherTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Byte)]
    public void GatherByRowCopyEqualsIndexSelect(ScalarType type)
    {
        using var x = randint(0, 100, [50, 3, 4]).to(type);
        using var y = arange(50, dtype: ScalarType.Int64);
        var ds = new TensorPairDataset(x, y);
        int[] idx = [7, 0, 49, 7, 13];
        using var batch = ds.Gather(idx);
        using var index = tensor(idx.Select(i => (long)i).ToArray());
        using var expectedX = x.index_select(0, index);
        Assert.True(batch.Xb.Equals(expectedX), "rows copied must equal index_select");
        Assert.Equal(idx.Select(i => (long)i), batch.Yb.data<long>().ToArray());
        Assert.Equal([5L, 3L, 4L], batch.Xb.shape);
        Assert.Equal(type, batch.Xb.dtype);
    }

    [Fact]
    public void ANonContiguousOrOffsetTensorGathersCorrectly()
    {
        using var big = arange(200, dtype: ScalarType.Float32).reshape(20, 10);
        using var slice = big.narrow(0, 5, 10);         // contiguous, but starts at a storage offset
        using var transposed = big.t().contiguous().t(); // same values, not contiguous
        foreach (var x in new[] { slice, transposed.narrow(0, 5, 10) })
        {
            var ds = new TensorPairDataset(x, arange(10));
            using var batch = ds.Gather([3, 1]);
            Assert.Equal(new float[] { 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69 },
                batch.Xb.contiguous().data<float>().ToArray());
        }
    }
}
