using Trainwright.Tests.Support;
using System.Text.Json;

namespace Trainwright.Tests.Distributed;

/// <summary>
/// Real runs under mpirun: the test host trains the MLP on 2048 MNIST items for 2 epochs with 2 processes of batch 32,
/// and alone with batch 64 on the same shuffled order (SGD with momentum 0.9), then the results are compared.
/// </summary>
public sealed class MpiTrainingTests : IClassFixture<MpiTrainingTests.Runs>
{
    private readonly Runs runs;

    public MpiTrainingTests(Runs runs) => this.runs = runs;

    [MpiFact]
    public void TwoProcessesOfBatch32_EndWithTheWeightsOfOneProcessOfBatch64()
    {
        var r = runs.Value;
        float[] rank0 = Weights(r.Folder.File("ddp", "rank0")), rank1 = Weights(r.Folder.File("ddp", "rank1")), single = Weights(r.Folder.File("single", "rank0"));

        Assert.Equal(39_760, single.Length); // 784·50 + 50 + 50·10 + 10
        Assert.Equal(rank0, rank1); // bit for bit: every rank applies the same averaged gradient
        double maxDiff = rank0.Zip(single).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(maxDiff < 1e-5, $"largest weight difference {maxDiff:E2}");
        // Training stats are summed over the ranks: both runs saw all 2048 items per epoch.
        Assert.Equal(2048, r.Ddp0.GetProperty("trainCount").GetInt32());
        Assert.Equal(1024, r.Ddp0.GetProperty("trainItemsPerEpoch").GetInt32());
        Assert.Equal(r.Single.GetProperty("trainLoss").GetDouble(), r.Ddp0.GetProperty("trainLoss").GetDouble(), 1e-5);
    }

    [MpiFact]
    public void ShardedValidation_IsExactForTheWholeValidationSet()
    {
        var r = runs.Value;
        foreach (var rank in new[] { r.Ddp0, r.Ddp1 })
        {
            Assert.Equal(1000, rank.GetProperty("validCount").GetInt32());
            // AvgStats sums float32 per-batch accuracies in float64: exact to far below one item in 1000.
            Assert.Equal(r.Ddp0.GetProperty("fullEvalAccuracy").GetDouble(), rank.GetProperty("validAccuracy").GetDouble(), 1e-6);
        }
        Assert.Equal(r.Ddp0.GetProperty("validLoss").GetDouble(), r.Ddp1.GetProperty("validLoss").GetDouble());
    }

    [MpiFact]
    public void Checkpoints_AreWrittenByRankZeroOnly()
    {
        var r = runs.Value;
        Assert.Equal(r.Single.GetProperty("checkpointFiles").GetInt32(), r.Ddp0.GetProperty("checkpointFiles").GetInt32());
        Assert.True(r.Ddp0.GetProperty("checkpointFiles").GetInt32() >= 1);
        Assert.Equal(0, r.Ddp1.GetProperty("checkpointFiles").GetInt32());
    }

    [MpiFact]
    public void Collectives_ReturnTheirClosedForms_OnThreeProcesses()
    {
        using var folder = new TempFolder("trainwright-mpi-");
        MpiRun.RunHost(3, "collectives", "--out", folder.Path);
        const int n = 3;
        for (int rank = 0; rank < n; rank++)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(folder.File($"rank{rank}", "collectives.json")));
            var j = doc.RootElement;
            Assert.Equal(n, j.GetProperty("size").GetInt32());
            // Σ_r (r + 1 + 0.5 i) = n(n+1)/2 + 0.5 n i
            Assert.Equal(Enumerable.Range(0, 5).Select(i => n * (n + 1) / 2.0 + 0.5 * n * i), Doubles(j, "sumFloat32"));
            Assert.Equal([n - 1, 0, (n - 1) * 0.25], Doubles(j, "maxFloat64"));
            Assert.Equal([0.0, -(n - 1)], Doubles(j, "minDoubleArray"));
            Assert.Equal([n * (1L << 40) + n * (n - 1) / 2, 3L * n * (n - 1) / 2], Longs(j, "sumInt64"));
            Assert.Equal([(1L << 35) * n * (n + 1) / 2], Longs(j, "sumLongArray"));
            // Only the view (elements 2..4) is reduced; the rest keeps this rank's value r + 1.
            double own = rank + 1, sum = n * (n + 1) / 2.0;
            Assert.Equal([own, own, sum, sum, sum, own], Doubles(j, "viewSum"));
            Assert.Equal([7.0, 7, 7, 7], Doubles(j, "broadcastFromOne"));
            Assert.Equal("hello", j.GetProperty("broadcastBytes").GetString());
        }
    }

    private static float[] Weights(string rankFolder)
    {
        var bytes = File.ReadAllBytes(Path.Combine(rankFolder, "weights.bin"));
        var floats = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, floats, 0, bytes.Length);
        return floats;
    }

    private static double[] Doubles(JsonElement j, string name) => [.. j.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())];

    private static long[] Longs(JsonElement j, string name) => [.. j.GetProperty(name).EnumerateArray().Select(e => e.GetInt64())];

    /// <summary>The two training runs, made once for the class and only when a test needs them (none do without mpirun).</summary>
    public sealed class Runs : IDisposable
    {
        private readonly Lazy<Results> results;

        public Runs() => results = new Lazy<Results>(Make);

        internal Results Value => results.Value;

        private static Results Make()
        {
            var folder = new TempFolder("trainwright-mpi-");
            MpiRun.RunHost(2, "train", "--out", folder.File("ddp"), "--batch", "32");
            MpiRun.RunHost(null, "train", "--out", folder.File("single"), "--batch", "64");
            return new Results(folder, Read(folder.File("ddp", "rank0")), Read(folder.File("ddp", "rank1")), Read(folder.File("single", "rank0")));
        }

        private static JsonElement Read(string rankFolder)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(rankFolder, "result.json")));
            return doc.RootElement.Clone();
        }

        public void Dispose()
        {
            if (results.IsValueCreated) results.Value.Folder.Dispose();
        }
    }

    internal sealed record Results(TempFolder Folder, JsonElement Ddp0, JsonElement Ddp1, JsonElement Single);
}
