using Trainwright.Data;
using Trainwright.Export.Onnx;
using Trainwright.Inference;
using Trainwright.Learning;
using Trainwright.Platform;

namespace Trainwright.Cli.Host;

/// <summary>
/// Turns an exception into the one line the user sees and the exit code. Stack traces only with --verbose: the library's
/// messages already say what was wrong and where.
/// </summary>
internal static class ErrorReport
{
    /// <summary>
    /// True while a command reads its options and data under mpirun, before its processes can agree on a refusal: every
    /// process sees the same command line and files and fails alike, so only rank 0 prints (mpirun still reports any
    /// other rank's exit code).
    /// </summary>
    public static bool OnlyRankZeroReports { get; set; }

    /// <summary>This process's rank under Open MPI's mpirun, or null when not launched by it.</summary>
    public static int? MpiRank =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_RANK"), System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out var rank) ? rank : null;

    public static int Print(Exception error, bool verbose, TextWriter stderr)
    {
        var cause = Unwrap(error);
        var (line, code) = Describe(cause);
        // An empty line: another MPI process already printed why the job stops.
        if (line.Length == 0 || (OnlyRankZeroReports && MpiRank is > 0)) return code;
        stderr.WriteLine($"error: {line}");
        if (verbose) stderr.WriteLine(error.ToString());
        else if (code == ExitCodes.Unexpected) stderr.WriteLine("Run again with --verbose for the details.");
        return code;
    }

    /// <summary>Strips the wrappers the loop adds (the callback or loader that failed is in the message anyway).</summary>
    public static Exception Unwrap(Exception e)
    {
        while (e is CallbackException or DataLoaderException or AggregateException or System.Reflection.TargetInvocationException
               && e.InnerException is not null)
            e = e.InnerException!;
        return e;
    }

    private static (string Line, int Code) Describe(Exception e) => e switch
    {
        CliException c => (c.Message, c.ExitCode),
        // The host cannot load libtorch: TorchNative's line says why (e.g. a libstdc++ too old) and what to do.
        TorchLoadException => (OneLine(e.Message), ExitCodes.Unexpected),
        ModelFileException or OnnxExportException => (OneLine(e.Message), ExitCodes.BadInput),
        IdxFormatException or ChecksumMismatchException => (OneLine(e.Message) + " " + DataHint, ExitCodes.BadInput),
        InvalidDataException or DirectoryNotFoundException or FileNotFoundException => (OneLine(e.Message), ExitCodes.BadInput),
        UnauthorizedAccessException => (OneLine(e.Message) + " Check the folder's permissions or choose another with --out.", ExitCodes.BadInput),
        IOException when IsDiskFull(e) => (OneLine(e.Message) + " Free some space or write elsewhere with --out.", ExitCodes.BadInput),
        IOException => (OneLine(e.Message), ExitCodes.BadInput),
        ArgumentException => (OneLine(e.Message), ExitCodes.BadInput),
        // Sizes are bounded before allocation; if memory still runs out, the input was too large for this machine.
        OutOfMemoryException or InsufficientExecutionStackException => (OutOfMemory, ExitCodes.BadInput),
        // libtorch's allocator failing (DefaultCPUAllocator: can't allocate memory) arrives as an ExternalException.
        System.Runtime.InteropServices.ExternalException when IsNativeOutOfMemory(e) => (OutOfMemory, ExitCodes.BadInput),
        _ => ($"unexpected {e.GetType().Name}: {OneLine(e.Message)}", ExitCodes.Unexpected),
    };

    private const string OutOfMemory =
        "not enough memory for this data or model; use --max-items, a smaller --hidden or --bs, or a machine with more memory.";

    private static bool IsNativeOutOfMemory(Exception e) =>
        e.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("not enough memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("std::bad_alloc", StringComparison.Ordinal);

    public const string DataHint =
        "--data needs a folder with MNIST's four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or .gz).";

    private static bool IsDiskFull(Exception e) => Runs.OutputFolder.IsDiskFull(e);

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
