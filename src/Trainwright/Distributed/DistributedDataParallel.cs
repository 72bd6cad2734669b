using TorchSharp.Modules;
using Trainwright.Callbacks;
using Trainwright.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Distributed;

/// <summary>
/// Data-parallel training over the processes of an <see cref="ICommunicator"/>: each process trains the same model on
/// its own shard of every batch, and the gradients are averaged over processes after backward, so every process takes
/// the same optimizer step and the weights stay identical. With per-process batch <c>b</c> on <c>N</c> processes this
/// is the same step as one process with batch <c>N·b</c> (see docs/distributed.md for the sharding that makes it exact).
/// </summary>
/// <remarks>
/// <para>At <see cref="Event.BeforeFit"/> (after the device callback moved the model) it checks that the processes agree
/// (training batches per epoch, number and size of parameters, whether <see cref="AvgStats"/> is attached) and stops
/// with an error on every process when they do not, instead of waiting forever; then it broadcasts rank 0's parameters,
/// buffers and, if the optimizer is already built, its state, so every process starts from the same point.</para>
/// <para>At <see cref="Event.BeforeValidate"/> it broadcasts rank 0's buffers again (batch norm's running statistics
/// drift apart while each process trains on its shard), so every process validates the model rank 0 saves.</para>
/// <para>At <see cref="Event.AfterBackward"/> it averages the gradients (one flat buffer per element type, see
/// <see cref="AllReduceTime"/>), before gradient clipping or accumulation look at them.</para>
/// <para>It installs <see cref="AvgStats.CombineTotals"/> so the training stats, and the validation stats when
/// validation is sharded, are summed over processes: every process reports exact figures for all the data.</para>
/// <para>Sharding the loaders is not this callback's job: <see cref="DistributedTraining.Setup(Learner, bool)"/> does it.
/// Only CPU tensors are supported (no CUDA-aware MPI).</para>
/// </remarks>
public sealed class DistributedDataParallel : Callback, IDisposable
{
    private readonly GradientBucket bucket = new();
    private readonly List<AvgStats> hooked = [];

    /// <summary>Creates the callback.</summary>
    /// <param name="communicator">The processes to average over.</param>
    /// <param name="validationSharded">True when each process validates only its shard of the validation set, so the
    /// validation stats must be summed over processes; false when every process validates the whole set.</param>
    public DistributedDataParallel(ICommunicator communicator, bool validationSharded)
    {
        Communicator = communicator ?? throw new ArgumentNullException(nameof(communicator));
        ValidationSharded = validationSharded;
    }

    /// <inheritdoc />
    public override int Order => CallbackOrder.Distributed;

    /// <summary>The processes gradients are averaged over.</summary>
    public ICommunicator Communicator { get; }

    /// <summary>Whether each process validates only its shard (stats are then summed over processes).</summary>
    public bool ValidationSharded { get; }

    /// <summary>This process's rank.</summary>
    public int Rank => Communicator.Rank;

    /// <summary>Number of processes.</summary>
    public int WorldSize => Communicator.Size;

    /// <summary>True on the process that should print, plot, log and write checkpoints.</summary>
    public bool IsRankZero => Communicator.Rank == 0;

    /// <summary>Time spent inside the gradient all-reduce, summed over the steps of the current fit.</summary>
    public TimeSpan AllReduceTime => bucket.AllReduceTime;

    /// <summary>Steps whose gradients were averaged.</summary>
    public int AveragedSteps => bucket.Steps;

    /// <summary>Elements in the flat gradient buffer(s) all-reduced each step.</summary>
    public long BucketElements => bucket.Elements;

    /// <inheritdoc />
    public override void BeforeFit()
    {
        var l = Learner;
        foreach (var p in l.Model.parameters())
            if (p.device_type != DeviceType.CPU)
                throw new InvalidOperationException($"Distributed training here runs on the CPU only (MPI buffers are host memory); the model is on {p.device}.");
        var statsCallbacks = l.Callbacks.OfType<AvgStats>().ToList();
        var parameters = l.Model.parameters().ToList();
        RequireAgreement("training batches per epoch (shard sizes differ: give every process the same data and batch size)", l.Data.Train.BatchCount);
        RequireAgreement("number of model parameters (every process must build the same model)", parameters.Count);
        RequireAgreement("number of model weights (every process must build the same model)", parameters.Sum(p => p.NumberOfElements));
        RequireAgreement("number of AvgStats callbacks (attach AvgStats on every process, not only on rank 0)", statsCallbacks.Count);
        BroadcastModel(l.Model);
        if (l.HasOptimizer) BroadcastOptimizerState(l);
        foreach (var stats in statsCallbacks)
        {
            if (stats.CombineTotals is not null)
                throw new InvalidOperationException("An AvgStats callback already has a CombineTotals hook; attach one DistributedDataParallel per learner.");
            stats.CombineTotals = CombineTotals;
            hooked.Add(stats);
        }
    }

    /// <inheritdoc />
    public override void BeforeValidate()
    {
        // Buffers such as batch norm's running statistics are updated by each process from its own shard; validation
        // (and the checkpoint rank 0 writes after it) must see one model, so every process takes rank 0's buffers.
        if (WorldSize > 1) Broadcast(Learner.Model.buffers());
    }

    /// <inheritdoc />
    public override void AfterBackward()
    {
        if (WorldSize == 1) return;
        bucket.Average([.. Learner.Model.parameters().Where(p => p.requires_grad)], Communicator);
    }

    /// <inheritdoc />
    public override void AfterFit()
    {
        foreach (var stats in hooked)
            if (stats.CombineTotals == CombineTotals) stats.CombineTotals = null;
        hooked.Clear();
    }

    /// <summary>Frees the gradient buffer.</summary>
    public void Dispose() => bucket.Dispose();

    private (double[] Sums, int Count) CombineTotals(bool training, double[] sums, int count)
    {
        if (!training && !ValidationSharded) return (sums, count);
        var all = new double[sums.Length + 1];
        sums.CopyTo(all, 0);
        all[^1] = count; // exact in a double up to 2^53 items
        Communicator.AllReduce(all, ReduceOp.Sum);
        return (all[..^1], checked((int)all[^1]));
    }

    /// <summary>Throws on every process when <paramref name="value"/> differs between processes.</summary>
    private void RequireAgreement(string what, long value)
    {
        var extremes = new[] { value, -value };
        Communicator.AllReduce(extremes, ReduceOp.Max);
        long max = extremes[0], min = -extremes[1];
        if (min != max)
            throw new InvalidOperationException($"The processes disagree on the {what}: values range from {min} to {max} (rank {Rank} has {value}).");
    }

    private void BroadcastModel(nn.Module model) => Broadcast(model.parameters().Cast<Tensor>().Concat(model.buffers()));

    /// <summary>Replaces each tensor's values with rank 0's, in place.</summary>
    private void Broadcast(IEnumerable<Tensor> tensors)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var t in tensors)
        {
            if (t.is_contiguous() && t.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64)
            {
                Communicator.Broadcast(t, root: 0);
                continue;
            }
            // Other element types (bool, int32, half…) and strided tensors go through a float64 copy: exact for all of them.
            var copy = t.detach().to(ScalarType.Float64).contiguous().clone();
            Communicator.Broadcast(copy, root: 0);
            t.copy_(copy);
        }
    }

    private void BroadcastOptimizerState(Learner l)
    {
        var state = IsRankZero ? l.Opt.CaptureState() : [];
        var length = new[] { (long)state.Length };
        Communicator.Broadcast(length, root: 0);
        if (!IsRankZero) state = new byte[checked((int)length[0])];
        Communicator.Broadcast(state, root: 0);
        if (!IsRankZero) l.Opt.RestoreState(state);
    }
}
