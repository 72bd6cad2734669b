using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Trainwright.Distributed;

/// <summary>
/// A thin binding to Open MPI's C library (<c>libmpi.so.40</c>), loaded at run time, with just what data-parallel training
/// needs: initialise/finalise, rank and size of <c>MPI_COMM_WORLD</c>, all-reduce (sum, max, min) and broadcast of float32,
/// float64 and int64 buffers (tensors in place, or arrays), and a barrier. Start with <see cref="TryInitialize"/>, which
/// says clearly why MPI is not used when it is not (no launcher, no library), so callers fall back to one process.
/// </summary>
/// <remarks>
/// <para>MPI can be initialised once per process: <see cref="TryInitialize"/> returns the same instance until it is disposed,
/// and after <see cref="Dispose"/> (which calls <c>MPI_Finalize</c>) MPI cannot be used again in this process. If the
/// instance is never disposed, <c>MPI_Finalize</c> runs when the process exits normally.</para>
/// <para>Calls are serialised with a lock (MPI is initialised with <c>MPI_THREAD_SERIALIZED</c>), so any thread may call,
/// but every process must make the same collective calls in the same order, or the job waits forever. When one process
/// fails, call <see cref="Abort"/> so the launcher stops the others instead of leaving them blocked.</para>
/// <para>Errors: Open MPI's default error handler aborts the whole job on an MPI error; a non-success code that does
/// come back is turned into an <see cref="InvalidOperationException"/> naming the function.</para>
/// </remarks>
public sealed class Mpi : ICommunicator, IDisposable
{
    private static readonly Lock StartupGate = new();
    private static Mpi? current;
    private static bool finalizedHere;

    private readonly MpiNative native;
    private readonly Lock gate = new();
    private readonly bool ownsInitialization;
    private volatile bool disposed;
    private volatile bool abandoned;

    private Mpi(MpiNative native, int rank, int size, int threadLevel, bool ownsInitialization)
    {
        this.native = native;
        Rank = rank;
        Size = size;
        ThreadLevel = threadLevel;
        this.ownsInitialization = ownsInitialization;
    }

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>The library file that was loaded (as named when loading it).</summary>
    public string LibraryPath => native.Path;

    /// <summary>The thread support level MPI granted (Open MPI: 0 single, 1 funneled, 2 serialized, 3 multiple).</summary>
    public int ThreadLevel { get; }

    /// <summary>True once <see cref="Dispose"/> has finalised MPI.</summary>
    public bool IsDisposed => disposed;

    /// <summary>
    /// Initialises MPI when this process was started by an MPI launcher and Open MPI's library can be loaded; otherwise
    /// returns why not, without loading anything (<see cref="MpiStatus.NotLaunched"/>) or after failing to load
    /// (<see cref="MpiStatus.LibraryNotFound"/>, <see cref="MpiStatus.UnsupportedImplementation"/>). Never throws for
    /// those cases: the caller decides whether to run as a single process.
    /// </summary>
    /// <param name="environment">Environment variables to detect the launcher from; null reads the process's (tests pass their own).</param>
    /// <param name="libraryNames">Library files to try, in order; null tries <c>$TRAINWRIGHT_MPI_LIBRARY</c>, then
    /// <c>libmpi.so.40</c> and <c>libmpi.so</c>.</param>
    public static MpiStartup TryInitialize(IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? libraryNames = null)
    {
        lock (StartupGate)
        {
            if (current is { disposed: false })
                return new MpiStartup(MpiStatus.Initialized, Describe(current), current, current.Size);
            if (finalizedHere)
                return new MpiStartup(MpiStatus.Finalized, "MPI was already finalised in this process and cannot be initialised again.", null, null);

            var (launched, launchedSize, _) = MpiLaunch.Detect(environment);
            if (!launched)
                return new MpiStartup(MpiStatus.NotLaunched,
                    $"Not started by an MPI launcher (none of {string.Join(", ", [.. MpiLaunch.SizeVariables, "PMIX_RANK"])} is set): running as a single process.",
                    null, null);

            var (native, failure, reason) = MpiNative.TryLoad(libraryNames ?? MpiNative.CandidateNames());
            if (native is null) return new MpiStartup(failure, reason, null, launchedSize);

            MpiNative.Check(native.Finalized(out int wasFinalized), "MPI_Finalized");
            if (wasFinalized != 0)
                return new MpiStartup(MpiStatus.Finalized, "MPI was already finalised in this process and cannot be initialised again.", null, launchedSize);
            MpiNative.Check(native.Initialized(out int wasInitialized), "MPI_Initialized");
            int provided = MpiNative.ThreadSerialized;
            bool owns = wasInitialized == 0;
            if (owns) MpiNative.Check(native.InitThread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadSerialized, out provided), "MPI_Init_thread");
            MpiNative.Check(native.CommRank(native.CommWorld, out int rank), "MPI_Comm_rank");
            MpiNative.Check(native.CommSize(native.CommWorld, out int size), "MPI_Comm_size");
            current = new Mpi(native, rank, size, provided, owns);
            // MPI must be finalised before the process ends or the launcher reports an abnormal exit.
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                if (current is { abandoned: false }) current.Dispose();
            };
            return new MpiStartup(MpiStatus.Initialized, Describe(current), current, launchedSize);
        }
    }

    private static string Describe(Mpi mpi) => $"MPI initialised from {mpi.LibraryPath}: rank {mpi.Rank} of {mpi.Size}.";

    /// <inheritdoc />
    public void AllReduce(Tensor buffer, ReduceOp op)
    {
        TensorMemory.Check(buffer, nameof(buffer));
        var datatype = buffer.dtype switch
        {
            ScalarType.Float32 => native.Float,
            ScalarType.Float64 => native.Double,
            _ => native.Int64,
        };
        InChunks(TensorMemory.Address(buffer), buffer.NumberOfElements, (int)buffer.ElementSize,
            (address, count) => native.Allreduce(MpiNative.InPlace, address, count, datatype, native.Op(op), native.CommWorld), "MPI_Allreduce");
    }

    /// <inheritdoc />
    public void AllReduce<T>(T[] values, ReduceOp op) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        MpiNative.CheckReducible<T>();
        var datatype = native.Datatype<T>();
        Pinned(values, address => InChunks(address, values.LongLength, Marshal.SizeOf<T>(),
            (a, count) => native.Allreduce(MpiNative.InPlace, a, count, datatype, native.Op(op), native.CommWorld), "MPI_Allreduce"));
    }

    /// <inheritdoc />
    public void Broadcast(Tensor buffer, int root)
    {
        TensorMemory.Check(buffer, nameof(buffer));
        SingleProcessCommunicator.CheckRoot(root, Size);
        var datatype = buffer.dtype switch
        {
            ScalarType.Float32 => native.Float,
            ScalarType.Float64 => native.Double,
            _ => native.Int64,
        };
        InChunks(TensorMemory.Address(buffer), buffer.NumberOfElements, (int)buffer.ElementSize,
            (address, count) => native.Bcast(address, count, datatype, root, native.CommWorld), "MPI_Bcast");
    }

    /// <inheritdoc />
    public void Broadcast<T>(T[] values, int root) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        MpiNative.CheckBroadcastable<T>();
        SingleProcessCommunicator.CheckRoot(root, Size);
        var datatype = native.Datatype<T>();
        Pinned(values, address => InChunks(address, values.LongLength, Marshal.SizeOf<T>(),
            (a, count) => native.Bcast(a, count, datatype, root, native.CommWorld), "MPI_Bcast"));
    }

    /// <inheritdoc />
    public void Barrier()
    {
        lock (gate)
        {
            ThrowIfDisposed();
            MpiNative.Check(native.Barrier(native.CommWorld), "MPI_Barrier");
        }
    }

    /// <summary>
    /// Asks the launcher to end every process of the job with <paramref name="errorCode"/> (<c>MPI_Abort</c>). Use it when
    /// this process cannot go on (an exception), so the others do not wait forever in their next collective. Normally does
    /// not return.
    /// </summary>
    public void Abort(int errorCode = 1)
    {
        if (disposed) return;
        native.Abort(native.CommWorld, errorCode);
    }

    /// <summary>
    /// Gives MPI up without finalising it, for a process about to exit while the launcher tears the job down (another
    /// process died): <c>MPI_Finalize</c> would wait for the dead process, and another thread may be blocked in a
    /// collective holding this binding's lock. Takes no lock, and leaves calls working (another thread may still be in
    /// one until the process exits); <see cref="Dispose"/> does nothing afterwards.
    /// </summary>
    public void Abandon() => abandoned = true;

    /// <summary>Finalises MPI (<c>MPI_Finalize</c>) if this binding initialised it. Every process must do so; MPI cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (abandoned) return;
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            if (ownsInitialization && native.Finalized(out int already) == 0 && already == 0)
                native.Finalize();
        }
        lock (StartupGate) finalizedHere = true;
    }

    private void InChunks(IntPtr address, long elements, int elementSize, Func<IntPtr, int, int> call, string function)
    {
        lock (gate)
        {
            ThrowIfDisposed();
            // MPI counts are C ints: split larger buffers; every process splits the same way, so the calls still match.
            const int MaxChunk = 1 << 30;
            for (long done = 0; done < elements; done += MaxChunk)
            {
                int count = (int)Math.Min(MaxChunk, elements - done);
                MpiNative.Check(call(address + checked((nint)(done * elementSize)), count), function);
            }
        }
    }

    private static void Pinned<T>(T[] values, Action<IntPtr> use) where T : unmanaged
    {
        var handle = GCHandle.Alloc(values, GCHandleType.Pinned);
        try { use(handle.AddrOfPinnedObject()); }
        finally { handle.Free(); }
    }

    private void ThrowIfDisposed() =>
        ObjectDisposedException.ThrowIf(disposed, this);
}
