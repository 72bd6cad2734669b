using Trainwright.Data;
using Trainwright.Distributed;
using static TorchSharp.torch;

namespace Trainwright.Tests.Distributed;

/// <summary>
/// Why N processes with batch b take the same steps as one process with batch N·b: with the loader's strided shards
/// (positions r, r+N, r+2N, … of the shared epoch order), rank r's batch k holds positions N·b·k + r + N·j (j &lt; b), so
/// the ranks' batch k together are exactly positions N·b·k … N·b·(k+1)-1: the single process's batch k.
/// </summary>
public sealed class ShardingTests
{
    [Theory]
    [InlineData(2048, 2, 32)]
    [InlineData(1000, 2, 32)]  // 1000/2 = 500 per rank: last batches of 20 per rank = the single run's last 40
    [InlineData(1001, 3, 7)]   // 1001 = 3·333 + 2: the tail of 2 is dropped from every run
    [InlineData(64, 4, 1)]
    public void UnionOfTheRanksBatchK_IsTheSingleProcessBatchK(int items, int worldSize, int batch)
    {
        using var x = zeros(items, 1);
        using var y = zeros(items, dtype: ScalarType.Int64);
        var dataset = new TensorPairDataset(x, y);
        foreach (int epoch in new[] { 0, 3 })
        {
            var single = new DataLoader<(Tensor X, Tensor Y)>(dataset, worldSize * batch, shuffle: true, seed: 11);
            // Shard drops the tail that does not divide evenly; the reference drops the same tail.
            var kept = single.EpochOrder(epoch)[..(items / worldSize * worldSize)];
            var singleBatches = Sampler.Batches(kept, worldSize * batch, dropLast: false).ToList();

            var rankBatches = Enumerable.Range(0, worldSize).Select(r =>
            {
                var loader = new DataLoader<(Tensor X, Tensor Y)>(dataset, batch, shuffle: true, seed: 11);
                loader.Shard(r, worldSize);
                return Sampler.Batches(loader.EpochOrder(epoch), batch, dropLast: false).ToList();
            }).ToList();

            Assert.All(rankBatches, b => Assert.Equal(singleBatches.Count, b.Count));
            for (int k = 0; k < singleBatches.Count; k++)
            {
                var union = rankBatches.SelectMany(b => b[k]).Order().ToArray();
                Assert.Equal(singleBatches[k].Order().ToArray(), union);
                // Equal sizes on every rank, so the mean of the ranks' mean losses is the mean loss of the union.
                Assert.Single(rankBatches.Select(b => b[k].Length).Distinct());
            }
        }
    }

    [Theory]
    [InlineData(1000, 3)]
    [InlineData(5, 4)]
    [InlineData(2, 4)]
    public void ShardKeepingTheTail_VisitsEveryItemOnce_WithShardsDifferingByAtMostOne(int items, int worldSize)
    {
        using var x = zeros(items, 1);
        using var y = zeros(items, dtype: ScalarType.Int64);
        var dataset = new TensorPairDataset(x, y);

        var shards = Enumerable.Range(0, worldSize).Select(r =>
        {
            var loader = new DataLoader<(Tensor X, Tensor Y)>(dataset, 10, shuffle: false);
            loader.Shard(r, worldSize, ShardTail.Keep);
            return loader.EpochOrder(0);
        }).ToList();

        Assert.Equal(Enumerable.Range(0, items), shards.SelectMany(s => s).Order());
        Assert.True(shards.Max(s => s.Length) - shards.Min(s => s.Length) <= 1);
    }
}
