using Trainwright.Data;
using Trainwright.Learning;
using static TorchSharp.torch;

namespace Trainwright.Distributed;

/// <summary>
/// One call that makes a learner train data-parallel when the process was started by <c>mpirun</c>, and leaves it as it
/// is otherwise: <c>using var dist = DistributedTraining.Setup(learner);</c> then attach progress, loggers, plots and
/// checkpoint writers only when <see cref="DistributedSession.IsRankZero"/>. Keep the session for the life of the
/// process: disposing it finalises MPI, which cannot be initialised again in the same process.
/// </summary>
public static class DistributedTraining
{
    /// <summary>
    /// Sets up <paramref name="learner"/> for data-parallel training over the processes of an MPI job, when there is one:
    /// initialises MPI (<see cref="Mpi.TryInitialize"/>), shards the training loader (and the validation loader when
    /// <paramref name="shardValidation"/>), and attaches a <see cref="DistributedDataParallel"/> callback. Without a
    /// launcher, or with one process, it changes nothing and returns a single-process session.
    /// The loaders must be <see cref="DataLoader{TItem}"/>s of <c>(Tensor, Tensor)</c> (what <see cref="DataBunch.FromDatasets"/>
    /// makes); use <see cref="Setup{TItem}"/> for other item types.
    /// </summary>
    /// <param name="learner">The learner; attach <see cref="Callbacks.AvgStats"/> on every process, before or after this call.</param>
    /// <param name="shardValidation">True: each process validates a disjoint part of the validation set and the stats are
    /// summed (exact, N times less validation work per process). False: every process validates the whole set.</param>
    /// <exception cref="InvalidOperationException">A launcher started several processes but MPI could not be initialised
    /// (each process would otherwise train alone and they would overwrite each other's files); or the training loader
    /// is shuffled without a seed shared by all processes.</exception>
    public static DistributedSession Setup(Learner learner, bool shardValidation = true)
    {
        ArgumentNullException.ThrowIfNull(learner);
        if (learner.Data.Train is not DataLoader<(Tensor X, Tensor Y)> train)
            throw new ArgumentException(
                $"The learner's training loader is a {learner.Data.Train.GetType().Name}; this overload shards DataLoader<(Tensor, Tensor)>. Call Setup<TItem>(learner, train, valid) with your loaders.",
                nameof(learner));
        var valid = learner.Data.Valid as DataLoader<(Tensor X, Tensor Y)>;
        if (shardValidation && valid is null)
            throw new ArgumentException($"The learner's validation loader is a {learner.Data.Valid.GetType().Name}, which cannot be sharded; pass shardValidation: false.", nameof(shardValidation));
        return Setup(learner, train, shardValidation ? valid : null);
    }

    /// <summary>
    /// As <see cref="Setup(Learner, bool)"/> for loaders of any item type: <paramref name="train"/> must be the learner's
    /// training loader and <paramref name="valid"/>, when given, its validation loader (then validation is sharded).
    /// </summary>
    /// <param name="learner">The learner.</param>
    /// <param name="train">The learner's training loader.</param>
    /// <param name="valid">The learner's validation loader to shard, or null to validate the whole set on every process.</param>
    /// <param name="startup">The result of <see cref="Mpi.TryInitialize"/>; null calls it.</param>
    public static DistributedSession Setup<TItem>(Learner learner, DataLoader<TItem> train, DataLoader<TItem>? valid, MpiStartup? startup = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentNullException.ThrowIfNull(train);
        if (!ReferenceEquals(learner.Data.Train, train))
            throw new ArgumentException("Pass the learner's own training loader (learner.Data.Train).", nameof(train));
        if (valid is not null && !ReferenceEquals(learner.Data.Valid, valid))
            throw new ArgumentException("Pass the learner's own validation loader (learner.Data.Valid), or null.", nameof(valid));
        if (learner.TryGet<DistributedDataParallel>(out _))
            throw new InvalidOperationException("This learner is already set up for distributed training; call Setup once per learner.");

        startup ??= Mpi.TryInitialize();
        if (!startup.IsInitialized)
        {
            if (startup.LaunchedWorldSize > 1)
                throw new InvalidOperationException(
                    $"This process is one of {startup.LaunchedWorldSize} started by an MPI launcher, but MPI is not usable: {startup.Message} "
                    + "Fix the MPI installation, or run without mpirun for single-process training.");
            return new DistributedSession(startup, SingleProcessCommunicator.Instance, null, validationSharded: false);
        }

        var mpi = startup.Mpi!;
        if (mpi.Size == 1)
            return new DistributedSession(startup, mpi, null, validationSharded: false);

        RequireSharedSeed(mpi, train);
        train.Shard(mpi.Rank, mpi.Size);
        valid?.Shard(mpi.Rank, mpi.Size, ShardTail.Keep);
        var callback = new DistributedDataParallel(mpi, validationSharded: valid is not null);
        learner.Add(callback);
        return new DistributedSession(startup, mpi, callback, validationSharded: valid is not null);
    }

    private static void RequireSharedSeed<TItem>(ICommunicator communicator, DataLoader<TItem> train)
    {
        if (!train.Sampler.Shuffle) return;
        var extremes = new long[] { train.Sampler.Seed, -(long)train.Sampler.Seed };
        communicator.AllReduce(extremes, ReduceOp.Max);
        if (extremes[0] != -extremes[1])
            throw new InvalidOperationException(
                "The training loader shuffles with a different seed on each process, so the shards would overlap. Give the loader an explicit seed (the same on every process).");
    }
}
