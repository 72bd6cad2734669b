using Trainwright.Data;
using static TorchSharp.torch;

namespace Trainwright.Tests.Data;

/// <summary>Issue 16, item 13: a DataBunch from one pair of tensors with a random validation split.</summary>
public class FromTensorsTests
{
    private static long[] FirstColumn(IDataLoader dl)
    {
        var values = new List<long>();
        foreach (var b in dl)
            using (b)
                values.AddRange(b.Xb.select(1, 0).to_type(ScalarType.Int64).data<long>().ToArray());
        return [.. values];
    }

    [Fact]
    public void SplitsEveryItemIntoExactlyOneSetAndInfersTheClassCount()
    {
        using var x = arange(100, dtype: ScalarType.Float32).unsqueeze(1).expand(100, 3).contiguous(); // row i holds i
        using var y = arange(100, dtype: ScalarType.Int64).remainder(7); // labels 0..6
        using var bunch = DataBunch.FromTensors(x, y, validPct: 0.2, batchSize: 16, seed: 3);
        Assert.Equal(80, bunch.Train.ItemCount);
        Assert.Equal(20, bunch.Valid.ItemCount);
        Assert.Equal(16, bunch.Train.BatchSize);
        Assert.Equal(7, bunch.C);
        var train = FirstColumn(bunch.Train);
        var valid = FirstColumn(bunch.Valid);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), train.Concat(valid).Order());
        Assert.NotEqual(Enumerable.Range(80, 20).Select(i => (long)i), valid.Order()); // random, not the tail
        // Targets travel with their rows.
        foreach (var b in bunch.Valid)
            using (b)
                Assert.True(b.Xb.select(1, 0).to_type(ScalarType.Int64).remainder(7).equal(b.Yb).all().item<bool>());

        using var same = DataBunch.FromTensors(x, y, validPct: 0.2, batchSize: 16, seed: 3);
        Assert.Equal(valid, FirstColumn(same.Valid));
        using var other = DataBunch.FromTensors(x, y, validPct: 0.2, batchSize: 16, seed: 4);
        Assert.NotEqual(valid.Order(), FirstColumn(other.Valid).Order());
    }

    [Fact]
    public void FloatTargetsGiveTheirWidthAndBadInputIsRefused()
    {
        using var x = randn(10, 4);
        using var y = randn(10, 2);
        using var bunch = DataBunch.FromTensors(x, y, validPct: 0.3, batchSize: 4, seed: 1);
        Assert.Equal(2, bunch.C);
        Assert.Equal(3, bunch.Valid.ItemCount);

        using var shortY = zeros(9, dtype: ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => DataBunch.FromTensors(x, shortY));
        Assert.Contains("x has 10 items but y has 9", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataBunch.FromTensors(x, y, validPct: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataBunch.FromTensors(x, y, validPct: 1));
    }
}
