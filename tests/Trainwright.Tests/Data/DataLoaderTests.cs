// Literal arrays make the expected values readable; these tests are not hot paths.
#pragma warning disable CA1861

using Trainwright.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Tests.Data;

/// <summary>A dataset that builds each item on demand (no gather fast path) and can fail on one index.</summary>
internal sealed class ComputedDataset(int count, int? failAt = null) : IDataset<(Tensor X, Tensor Y)>
{
    public int Count => count;

    public (Tensor X, Tensor Y) this[int index]
    {
        get
        {
            if (index == failAt) throw new InvalidOperationException($"item {index} is broken");
            return (tensor(new float[] { index, -index }), tensor((long)index));
        }
    }
}

public class DataLoaderTests
{
    private static TensorPairDataset Ranged(int n, out Tensor x, out Tensor y)
    {
        x = arange(n, dtype: ScalarType.Float32).unsqueeze(1) * 2;
        y = arange(n, dtype: ScalarType.Int64);
        return new TensorPairDataset(x, y);
    }

    /// <summary>Each batch's labels, disposing the batches.</summary>
    private static List<long[]> Epoch(IDataLoader loader)
    {
        var result = new List<long[]>();
        foreach (var batch in loader)
            using (batch)
            {
                // Inputs must match their labels: x = 2y for the ranged set, [y, -y] for the computed one.
                using var first = batch.Xb.select(1, 0);
                using var y = batch.Yb.to(ScalarType.Float32);
                using var expected = first.shape[0] == 0 ? y : (batch.Xb.shape[1] == 1 ? y * 2 : y);
                Assert.True(first.allclose(expected));
                result.Add(batch.Yb.data<long>().ToArray());
            }
        return result;
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(true, 2)]
    public void EveryItemAppearsOncePerEpoch(bool shuffle, int workers)
    {
        var ds = Ranged(103, out var x, out var y);
        using (x) using (y)
        {
            var loader = new DataLoader<(Tensor X, Tensor Y)>(ds, 10, shuffle: shuffle, seed: 1, numWorkers: workers);
            for (int e = 0; e < 2; e++)
            {
                var batches = Epoch(loader);
                Assert.Equal(11, batches.Count);
                Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), batches.SelectMany(b => b).Order());
                if (!shuffle) Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), batches.SelectMany(b => b));
            }
        }
    }

    [Fact]
    public void ShuffledOrderDiffersBetweenEpochsAndIsReproducibleWithASeed()
    {
        var ds = Ranged(200, out var x, out var y);
        using (x) using (y)
        {
            var a = new DataLoader<(Tensor X, Tensor Y)>(ds, 50, shuffle: true, seed: 7);
            var b = new DataLoader<(Tensor X, Tensor Y)>(ds, 50, shuffle: true, seed: 7);
            var c = new DataLoader<(Tensor X, Tensor Y)>(ds, 50, shuffle: true, seed: 8);
            var a1 = Epoch(a).SelectMany(v => v).ToArray();
            var a2 = Epoch(a).SelectMany(v => v).ToArray();
            Assert.NotEqual(a1, a2);
            Assert.NotEqual(Enumerable.Range(0, 200).Select(i => (long)i), a1);
            Assert.Equal(a1, Epoch(b).SelectMany(v => v));
            Assert.Equal(a2, Epoch(b).SelectMany(v => v));
            Assert.NotEqual(a1, Epoch(c).SelectMany(v => v));
            // The sampler exposes the same order the loader used.
            Assert.Equal(a1.Select(v => (int)v), a.EpochOrder(0));
        }
    }

    private static readonly int[] FullBatches = [5, 5, 5, 5];
    private static readonly int[] WithPartialBatch = [5, 5, 5, 5, 3];

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 3)]
    [InlineData(true, 3)]
    public void LastPartialBatchIsKeptOrDropped(bool dropLast, int workers)
    {
        var ds = Ranged(23, out var x, out var y);
        using (x) using (y)
        {
            var loader = new DataLoader<(Tensor X, Tensor Y)>(ds, 5, dropLast: dropLast, numWorkers: workers);
            var sizes = Epoch(loader).Select(b => b.Length).ToArray();
            Assert.Equal(dropLast ? FullBatches : WithPartialBatch, sizes);
            Assert.Equal(sizes.Length, loader.BatchCount);
            Assert.Equal(sizes.Sum(), loader.ItemCount);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void WorkersYieldExactlyTheSameBatchesAsNoWorkers(int workers)
    {
        var ds = Ranged(157, out var x, out var y);
        using (x) using (y)
        {
            foreach (var dataset in new IDataset<(Tensor X, Tensor Y)>[] { ds, new ComputedDataset(157) })
            {
                var serial = new DataLoader<(Tensor X, Tensor Y)>(dataset, 8, shuffle: true, seed: 3);
                var parallel = new DataLoader<(Tensor X, Tensor Y)>(dataset, 8, shuffle: true, seed: 3, numWorkers: workers);
                for (int e = 0; e < 2; e++)
                {
                    using var se = serial.GetEnumerator();
                    using var pe = parallel.GetEnumerator();
                    int count = 0;
                    while (se.MoveNext())
                    {
                        Assert.True(pe.MoveNext());
                        using var s = se.Current;
                        using var p = pe.Current;
                        Assert.Equal(s.Xb.shape, p.Xb.shape);
                        Assert.Equal(s.Xb.data<float>().ToArray(), p.Xb.data<float>().ToArray());
                        Assert.Equal(s.Yb.data<long>().ToArray(), p.Yb.data<long>().ToArray());
                        count++;
                    }
                    Assert.False(pe.MoveNext());
                    Assert.Equal(20, count);
                }
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void AThrowingDatasetSurfacesItsErrorWithTheItemIndex(int workers)
    {
        var loader = new DataLoader<(Tensor X, Tensor Y)>(new ComputedDataset(100, failAt: 37), 10, numWorkers: workers);
        int delivered = 0;
        var e = Assert.Throws<DataLoaderException>(() =>
        {
            foreach (var batch in loader) { batch.Dispose(); delivered++; }
        });
        Assert.Equal(37, e.ItemIndex);
        Assert.Equal(3, e.BatchIndex);
        Assert.Equal(3, delivered); // batches before the broken one arrive, in order
        Assert.Contains("item 37", e.Message);
        Assert.Contains("item 37 is broken", e.Message);
        Assert.IsType<InvalidOperationException>(e.InnerException);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void AThrowingCollateSurfacesWithTheBatchItems(int workers)
    {
        var ds = Ranged(40, out var x, out var y);
        using (x) using (y)
        {
            Batch Collate(IReadOnlyList<(Tensor X, Tensor Y)> items)
            {
                if (items.Any(i => i.Y.ToInt64() == 25)) throw new FormatException("cannot collate 25");
                return Trainwright.Data.Collate.StackPairs(items);
            }
            var loader = new DataLoader<(Tensor X, Tensor Y)>(ds, 10, collate: Collate, numWorkers: workers);
            var e = Assert.Throws<DataLoaderException>(() => { foreach (var b in loader) b.Dispose(); });
            Assert.Null(e.ItemIndex);
            Assert.Equal(2, e.BatchIndex);
            Assert.Contains("batch 2", e.Message);
            Assert.Contains("items 20, 21", e.Message);
            Assert.Contains("cannot collate 25", e.Message);
        }
    }

    [Fact]
    public void BatchesSurviveTheConsumersDisposeScope()
    {
        var ds = Ranged(20, out var x, out var y);
        using (x) using (y)
        {
            var loader = new DataLoader<(Tensor X, Tensor Y)>(ds, 4);
            Batch batch;
            using (NewDisposeScope())
            {
                using var e = loader.GetEnumerator();
                Assert.True(e.MoveNext());
                batch = e.Current;
            }
            using (batch)
                Assert.Equal(new long[] { 0, 1, 2, 3 }, batch.Yb.data<long>().ToArray());
        }
    }

    [Fact]
    public void ShardsSplitTheEpochIntoDisjointEqualParts()
    {
        var ds = Ranged(103, out var x, out var y);
        using (x) using (y)
        {
            var shards = Enumerable.Range(0, 3).Select(rank =>
            {
                var loader = new DataLoader<(Tensor X, Tensor Y)>(ds, 8, shuffle: true, seed: 11);
                loader.Shard(rank, 3);
                Assert.Equal(34, loader.ItemCount);
                return Epoch(loader).SelectMany(b => b).ToArray();
            }).ToArray();
            Assert.All(shards, s => Assert.Equal(34, s.Length));
            Assert.Equal(102, shards.SelectMany(s => s).Distinct().Count());
            var full = new DataLoader<(Tensor X, Tensor Y)>(ds, 8, shuffle: true, seed: 11).EpochOrder(0);
            Assert.Equal(full.Where((_, i) => i % 3 == 1 && i < 102).Select(v => (long)v), shards[1]);
        }
    }

    [Fact]
    public void NonPairItemsNeedACollate()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataLoader<int>(new IntDataset(), 2));
        Assert.Contains("collate", e.Message);
    }

    private sealed class IntDataset : IDataset<int>
    {
        public int Count => 4;
        public int this[int index] => index;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TensorCountCollection
{
    /// <summary>Tests that read TorchSharp's process-wide live-tensor count run alone.</summary>
    public const string Name = "Trainwright.Data tensor count";
}

[Collection(TensorCountCollection.Name)]
public class DataLoaderLifetimeTests
{
    private static long Live()
    {
        return Tensor.TotalCount;
    }

    private static void Settle()
    {
        // Other tests' unreachable tensors would otherwise be finalized (and uncounted) during ours.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void NoTensorsLeakOverThreeEpochs(int workers)
    {
        Settle();
        using var x = randn(300, 5);
        using var y = randint(0, 4, 300, dtype: ScalarType.Int64);
        long before = Live();
        using (var probe = ones(1)) Assert.Equal(before + 1, Live()); // the counter sees tensors
        foreach (var dataset in new IDataset<(Tensor X, Tensor Y)>[] { new TensorPairDataset(x, y), new ComputedDataset(300) })
        {
            var loader = new DataLoader<(Tensor X, Tensor Y)>(dataset, 32, shuffle: true, seed: 5, numWorkers: workers);
            for (int e = 0; e < 3; e++)
                foreach (var batch in loader)
                    batch.Dispose();
            Assert.Equal(before, Live());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task BreakingEarlyStopsWorkersAndDisposesPreparedBatches(int workers)
    {
        Settle();
        using var x = randn(5000, 3);
        using var y = arange(5000, dtype: ScalarType.Int64);
        long before = Live();
        var loader = new DataLoader<(Tensor X, Tensor Y)>(new TensorPairDataset(x, y), 10, shuffle: true, seed: 2, numWorkers: workers);
        var run = Task.Run(() =>
        {
            int seen = 0;
            foreach (var batch in loader)
            {
                batch.Dispose();
                if (++seen == 3) break;
            }
            return seen;
        });
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == run, "Leaving the enumeration early hung.");
        Assert.Equal(3, await run);
        Assert.Equal(before, Live());
        // The loader still works for the next epoch.
        Assert.Equal(500, loader.Count(b => { b.Dispose(); return true; }));
        Assert.Equal(before, Live());
    }
}
