using System.Runtime.InteropServices;

namespace Trainwright.Distributed;

/// <summary>
/// The MPI entry points this binding uses, resolved from Open MPI's <c>libmpi</c> at run time (no compile-time dependency,
/// so the library loads on machines without MPI). Open MPI's predefined handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>,
/// <c>MPI_SUM</c>, …) are the addresses of exported global objects (<c>ompi_mpi_comm_world</c>, …), which is why this only
/// works with Open MPI: MPICH defines its handles as integer constants.
/// </summary>
internal sealed class MpiNative
{
    /// <summary>Environment variable that names the MPI library file to load instead of the default names.</summary>
    public const string LibraryVariable = "TRAINWRIGHT_MPI_LIBRARY";

    /// <summary>Open MPI's <c>MPI_IN_PLACE</c> sentinel, <c>(void*)1</c>.</summary>
    public static readonly IntPtr InPlace = 1;

    /// <summary>Open MPI's <c>MPI_THREAD_SERIALIZED</c>: any thread may call MPI, one at a time (we serialise with a lock).</summary>
    public const int ThreadSerialized = 2;

    private const int MpiSuccess = 0;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int InitThreadFn(IntPtr argc, IntPtr argv, int required, out int provided);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int FlagFn(out int flag);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int FinalizeFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CommIntFn(IntPtr comm, out int value);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AllreduceFn(IntPtr sendBuffer, IntPtr receiveBuffer, int count, IntPtr datatype, IntPtr op, IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int BcastFn(IntPtr buffer, int count, IntPtr datatype, int root, IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int BarrierFn(IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AbortFn(IntPtr comm, int errorCode);

    private MpiNative(IntPtr library, string path)
    {
        Library = library;
        Path = path;
        InitThread = Function<InitThreadFn>("MPI_Init_thread");
        Initialized = Function<FlagFn>("MPI_Initialized");
        Finalized = Function<FlagFn>("MPI_Finalized");
        Finalize = Function<FinalizeFn>("MPI_Finalize");
        CommRank = Function<CommIntFn>("MPI_Comm_rank");
        CommSize = Function<CommIntFn>("MPI_Comm_size");
        Allreduce = Function<AllreduceFn>("MPI_Allreduce");
        Bcast = Function<BcastFn>("MPI_Bcast");
        Barrier = Function<BarrierFn>("MPI_Barrier");
        Abort = Function<AbortFn>("MPI_Abort");
        CommWorld = Global("ompi_mpi_comm_world");
        Float = Global("ompi_mpi_float");
        Double = Global("ompi_mpi_double");
        Int64 = Global("ompi_mpi_int64_t");
        Byte = Global("ompi_mpi_byte");
        OpSum = Global("ompi_mpi_op_sum");
        OpMax = Global("ompi_mpi_op_max");
        OpMin = Global("ompi_mpi_op_min");
    }

    public IntPtr Library { get; }
    public string Path { get; }
    public InitThreadFn InitThread { get; }
    public FlagFn Initialized { get; }
    public FlagFn Finalized { get; }
    public FinalizeFn Finalize { get; }
    public CommIntFn CommRank { get; }
    public CommIntFn CommSize { get; }
    public AllreduceFn Allreduce { get; }
    public BcastFn Bcast { get; }
    public BarrierFn Barrier { get; }
    public AbortFn Abort { get; }
    public IntPtr CommWorld { get; }
    public IntPtr Float { get; }
    public IntPtr Double { get; }
    public IntPtr Int64 { get; }
    public IntPtr Byte { get; }
    public IntPtr OpSum { get; }
    public IntPtr OpMax { get; }
    public IntPtr OpMin { get; }

    /// <summary>The library names tried, in order: the variable's value when set, then Open MPI's usual sonames.</summary>
    public static IReadOnlyList<string> CandidateNames()
    {
        var names = new List<string>();
        var fromEnvironment = Environment.GetEnvironmentVariable(LibraryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) names.Add(fromEnvironment);
        if (OperatingSystem.IsMacOS()) names.AddRange(["libmpi.40.dylib", "libmpi.dylib"]);
        else names.AddRange(["libmpi.so.40", "libmpi.so"]);
        return names;
    }

    /// <summary>Loads the first of <paramref name="names"/> that exists.</summary>
    /// <returns>The binding, or null with the reason (no library; not Open MPI).</returns>
    public static (MpiNative? Native, MpiStatus Failure, string Reason) TryLoad(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _))
                return (null, MpiStatus.UnsupportedImplementation,
                    $"'{name}' is an MPI library but not Open MPI (it has no ompi_mpi_comm_world); install Open MPI or point {LibraryVariable} at Open MPI's libmpi.");
            try { return (new MpiNative(handle, name), MpiStatus.Initialized, ""); }
            catch (EntryPointNotFoundException e)
            {
                return (null, MpiStatus.UnsupportedImplementation, $"'{name}' lacks an MPI function this binding needs: {e.Message}");
            }
        }
        return (null, MpiStatus.LibraryNotFound,
            $"No Open MPI library found (tried {string.Join(", ", names)}). Install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) or set {LibraryVariable} to libmpi's path.");
    }

    /// <summary>Throws with the MPI function's name and code when <paramref name="code"/> is not MPI_SUCCESS.</summary>
    public static void Check(int code, string function)
    {
        if (code != MpiSuccess)
            throw new InvalidOperationException($"{function} failed with MPI error code {code}.");
    }

    /// <summary>The MPI datatype handle of <typeparamref name="T"/>.</summary>
    public IntPtr Datatype<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? Float
        : typeof(T) == typeof(double) ? Double
        : typeof(T) == typeof(long) ? Int64
        : typeof(T) == typeof(byte) ? Byte
        : throw new NotSupportedException($"{typeof(T).Name} has no MPI datatype here; use byte, float, double or long.");

    /// <summary>The MPI op handle of <paramref name="op"/>.</summary>
    public IntPtr Op(ReduceOp op) => op switch
    {
        ReduceOp.Sum => OpSum,
        ReduceOp.Max => OpMax,
        ReduceOp.Min => OpMin,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduction."),
    };

    /// <summary>Throws unless arrays of <typeparamref name="T"/> can be all-reduced.</summary>
    public static void CheckReducible<T>() where T : unmanaged
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(long))
            throw new NotSupportedException($"All-reduce supports float, double and long arrays, not {typeof(T).Name}.");
    }

    /// <summary>Throws unless arrays of <typeparamref name="T"/> can be broadcast.</summary>
    public static void CheckBroadcastable<T>() where T : unmanaged
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(long) && typeof(T) != typeof(byte))
            throw new NotSupportedException($"Broadcast supports byte, float, double and long arrays, not {typeof(T).Name}.");
    }

    private TDelegate Function<TDelegate>(string name) where TDelegate : Delegate =>
        Marshal.GetDelegateForFunctionPointer<TDelegate>(NativeLibrary.GetExport(Library, name));

    private IntPtr Global(string name) => NativeLibrary.GetExport(Library, name);
}
