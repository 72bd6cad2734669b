namespace Trainwright.Distributed;

/// <summary>
/// What <see cref="DistributedTraining.Setup(Learning.Learner, bool)"/> set up: whether this run is distributed, this
/// process's rank, and whether it is the one that should print progress and write logs, plots and checkpoints. Dispose
/// it when training is over (it finalises MPI); call <see cref="Abort"/> instead when this process failed, so the
/// other processes are stopped rather than left waiting.
/// </summary>
public sealed class DistributedSession : IDisposable
{
    internal DistributedSession(MpiStartup startup, ICommunicator communicator, DistributedDataParallel? callback, bool validationSharded)
    {
        Startup = startup;
        Communicator = communicator;
        Callback = callback;
        ValidationSharded = validationSharded;
    }

    /// <summary>How MPI start-up went (status and a sentence to show people).</summary>
    public MpiStartup Startup { get; }

    /// <summary>The processes of the run (<see cref="SingleProcessCommunicator"/> when not distributed).</summary>
    public ICommunicator Communicator { get; }

    /// <summary>The callback attached to the learner, or null when the run is not distributed.</summary>
    public DistributedDataParallel? Callback { get; }

    /// <summary>True when more than one process trains together.</summary>
    public bool IsDistributed => Callback is not null;

    /// <summary>This process's rank (0 when not distributed).</summary>
    public int Rank => Communicator.Rank;

    /// <summary>Number of processes (1 when not distributed).</summary>
    public int WorldSize => Communicator.Size;

    /// <summary>True on the one process that should print progress and write logs, plots and checkpoints.</summary>
    public bool IsRankZero => Communicator.Rank == 0;

    /// <summary>Whether each process validates only its shard of the validation set.</summary>
    public bool ValidationSharded { get; }

    /// <summary>Ends every process of the job (<c>MPI_Abort</c>) when MPI is in use; does nothing otherwise.</summary>
    public void Abort(int errorCode = 1) => Startup.Mpi?.Abort(errorCode);

    /// <summary>
    /// Gives MPI up without finalising it (<see cref="Mpi.Abandon"/>): for a process that must exit at once because the
    /// launcher is ending the job, e.g. after another process died. Safe while another thread waits in a collective.
    /// </summary>
    public void Abandon() => Startup.Mpi?.Abandon();

    /// <summary>Frees the callback's buffer and finalises MPI when it was initialised.</summary>
    public void Dispose()
    {
        Callback?.Dispose();
        Startup.Mpi?.Dispose();
    }
}
