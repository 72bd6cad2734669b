using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Distributed;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Distributed;

/// <summary>What the binding reports when it cannot or should not use MPI; none of these initialise MPI in the test process.</summary>
public sealed class MpiStartupTests
{
    [Fact]
    public void WithoutLauncherVariables_ReportsNotLaunched_AndLoadsNothing()
    {
        // The library names are bogus: reaching the loader would give LibraryNotFound, so NotLaunched proves it was not tried.
        var startup = Mpi.TryInitialize(new Dictionary<string, string> { ["PATH"] = "/usr/bin" }, ["libmpi-that-does-not-exist.so"]);

        Assert.Equal(MpiStatus.NotLaunched, startup.Status);
        Assert.False(startup.IsInitialized);
        Assert.Null(startup.Mpi);
        Assert.Null(startup.LaunchedWorldSize);
        Assert.Contains("OMPI_COMM_WORLD_SIZE", startup.Message, StringComparison.Ordinal);
        Assert.Contains("single process", startup.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LaunchedWithoutLibrary_ReportsLibraryNotFound_WithInstallHint()
    {
        var env = new Dictionary<string, string> { ["OMPI_COMM_WORLD_SIZE"] = "2", ["OMPI_COMM_WORLD_RANK"] = "1" };

        var startup = Mpi.TryInitialize(env, ["libmpi-that-does-not-exist.so.40"]);

        Assert.Equal(MpiStatus.LibraryNotFound, startup.Status);
        Assert.Null(startup.Mpi);
        Assert.Equal(2, startup.LaunchedWorldSize);
        Assert.Contains("libmpi-that-does-not-exist.so.40", startup.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install", startup.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LaunchedWithAnotherLibrary_ReportsUnsupportedImplementation()
    {
        // libm is always there and is certainly not Open MPI (no ompi_mpi_comm_world).
        var env = new Dictionary<string, string> { ["PMI_SIZE"] = "4", ["PMI_RANK"] = "0" };

        var startup = Mpi.TryInitialize(env, ["libm.so.6"]);

        Assert.Equal(MpiStatus.UnsupportedImplementation, startup.Status);
        Assert.Equal(4, startup.LaunchedWorldSize);
        Assert.Contains("not Open MPI", startup.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OMPI_COMM_WORLD_SIZE", "3", "OMPI_COMM_WORLD_RANK", "2", 3, 2)]
    [InlineData("PMI_SIZE", "8", "PMI_RANK", "5", 8, 5)]
    [InlineData("OTHER", "1", "PMIX_RANK", "1", null, 1)]
    public void Detect_ReadsEachLaunchersVariables(string sizeName, string size, string rankName, string rank, int? expectedSize, int expectedRank)
    {
        var (launched, worldSize, detectedRank) = MpiLaunch.Detect(new Dictionary<string, string> { [sizeName] = size, [rankName] = rank });

        Assert.True(launched);
        Assert.Equal(expectedSize, worldSize);
        Assert.Equal(expectedRank, detectedRank);
    }

    [Fact]
    public void Setup_WithoutLauncher_LeavesTheLearnerAsItWas()
    {
        Assert.False(MpiLaunch.Detect().Launched, "The test process itself must not run under an MPI launcher.");
        var data = Tiny.ShuffledData();
        var learner = new Learner(Tiny.Model(), data, LossFunctions.CrossEntropyLoss, PlainSgd.Factory, 0.1, [new AvgStats()]);
        int before = learner.Callbacks.Count;

        using var session = DistributedTraining.Setup(learner);

        Assert.False(session.IsDistributed);
        Assert.True(session.IsRankZero);
        Assert.Equal((0, 1), (session.Rank, session.WorldSize));
        Assert.Equal(MpiStatus.NotLaunched, session.Startup.Status);
        Assert.Equal(before, learner.Callbacks.Count);
        Assert.Null(((DataLoader<(Tensor X, Tensor Y)>)data.Train).IndexFilter);
        Assert.Null(((DataLoader<(Tensor X, Tensor Y)>)data.Valid).IndexFilter);
    }

    [Fact]
    public void SingleProcessCommunicator_ChecksBuffersLikeMpi()
    {
        var single = SingleProcessCommunicator.Instance;
        using var strided = zeros(4, 4).t();
        using var ints = zeros(3, dtype: ScalarType.Int32);
        using var fine = arange(3, dtype: ScalarType.Float64);

        Assert.Throws<ArgumentException>(() => single.AllReduce(strided, ReduceOp.Sum));
        Assert.Throws<ArgumentException>(() => single.AllReduce(ints, ReduceOp.Sum));
        Assert.Throws<NotSupportedException>(() => single.AllReduce(new int[2], ReduceOp.Sum));
        Assert.Throws<ArgumentOutOfRangeException>(() => single.Broadcast(fine, root: 1));
        single.AllReduce(fine, ReduceOp.Max);
        Assert.Equal([0.0, 1.0, 2.0], fine.data<double>().ToArray());
    }
}
