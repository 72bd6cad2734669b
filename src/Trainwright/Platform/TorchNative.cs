using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Trainwright.Platform;

/// <summary>
/// Loads libtorch once and, when that fails, says why in one line. TorchSharp reports every load failure as a missing
/// package reference ("… doesn't contain a reference to libtorch-cpu-linux-x64"), even when the real cause is the host's
/// libstdc++ being older than its native shim needs (GLIBCXX_3.4.32 on Debian 12 or Ubuntu 22.04, when the build step
/// that patches the shim did not run). The library calls <see cref="EnsureLoaded"/> where a program first needs torch.
/// </summary>
public static class TorchNative
{
    /// <summary>The file name of TorchSharp's native shim on Linux.</summary>
    public const string ShimFileName = "libLibTorchSharp.so";

    private static readonly object Gate = new();
    private static volatile bool loaded;
    private static Thread? loader;
    private static ExceptionDispatchInfo? loadFailure;
    private static int? pendingThreads;

    /// <summary>When the load finished (UTC), for start-up reports; null before.</summary>
    public static DateTime? LoadedAtUtc { get; private set; }

    /// <summary>How long <see cref="EnsureLoaded"/> waited for the load that <see cref="BeginLoading"/> started, for start-up reports.</summary>
    public static TimeSpan WaitedForLoad { get; private set; }

    /// <summary>Whether libtorch has been loaded (by <see cref="EnsureLoaded"/>, joined after <see cref="BeginLoading"/>).</summary>
    public static bool IsLoaded => loaded;

    /// <summary>
    /// Starts loading libtorch on a background thread and returns at once, so a program can do its other start-up work
    /// (read its command line and its data) while the native libraries load; <see cref="EnsureLoaded"/> then waits for it.
    /// Calling it again, or after the load, does nothing. Whatever must precede the load (the OpenMP wait policy, see
    /// <see cref="Runtime.OpenMpWaitPolicy"/>) must be done before this call. Until <see cref="EnsureLoaded"/> has returned,
    /// no other code may use TorchSharp: it would wait for the load, and a failed load would surface there as TorchSharp's
    /// own TypeInitializationException rather than as the <see cref="TorchLoadException"/> that explains it.
    /// </summary>
    public static void BeginLoading()
    {
        lock (Gate)
        {
            if (loaded || loader is not null) return;
            // Only TorchSharp's own load runs there: nothing that draws random numbers or depends on thread-local state.
            loader = new Thread(() =>
            {
                try
                {
                    Load();
                }
                catch (Exception e)
                {
                    // Thrown again, as it is, by the EnsureLoaded that waits for this thread.
                    loadFailure = ExceptionDispatchInfo.Capture(e);
                }
            })
            {
                IsBackground = true,
                Name = "libtorch loader",
            };
            loader.Start();
        }
    }

    /// <summary>
    /// Sets libtorch's intra-op thread count (<c>torch.set_num_threads</c>): at once when libtorch is loaded, otherwise
    /// when <see cref="EnsureLoaded"/> has loaded it, on the thread that calls it, before that call returns (so a program
    /// that started <see cref="BeginLoading"/> can decide the count before the load is done). The last call wins.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (Gate)
        {
            if (!loaded)
            {
                pendingThreads = threads;
                return;
            }
        }
        torch.set_num_threads(threads);
    }

    /// <summary>
    /// Loads TorchSharp's native libraries (once), or throws a <see cref="TorchLoadException"/> saying why not. After
    /// <see cref="BeginLoading"/> it waits for that load (and throws its failure, the same exception every time); then it
    /// applies the thread count of <see cref="SetThreads"/>, if one is waiting.
    /// </summary>
    /// <exception cref="TorchLoadException">libtorch or TorchSharp's shim cannot be loaded on this host.</exception>
    public static void EnsureLoaded()
    {
        if (loaded) return;
        lock (Gate)
        {
            if (loaded) return;
            if (loader is not null)
            {
                var waiting = System.Diagnostics.Stopwatch.StartNew();
                loader.Join();
                WaitedForLoad = waiting.Elapsed;
                loadFailure?.Throw();
            }
            else
            {
                Load();
            }
            if (pendingThreads is { } threads) torch.set_num_threads(threads);
            pendingThreads = null;
            loaded = true;
            // Before the program's first matrix product, which is the only time it can be done safely.
            Runtime.MklKernels.PreferAvx512();
        }
    }

    private static void Load()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            LoadedAtUtc = DateTime.UtcNow;
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException
                                      or BadImageFormatException or EntryPointNotFoundException or InvalidOperationException)
        {
            throw new TorchLoadException(Explain(FindShim(), e), e);
        }
    }

    /// <summary>
    /// One line on why TorchSharp's shim at <paramref name="shim"/> cannot load: the loader's own reason, read by loading the
    /// file directly; a GLIBCXX reason is spelled out with the fix. <paramref name="original"/> is TorchSharp's error.
    /// </summary>
    public static string Explain(string? shim, Exception original)
    {
        ArgumentNullException.ThrowIfNull(original);
        if (shim is null)
            return $"TorchSharp's native library cannot load: no {ShimFileName} next to the program ('{AppContext.BaseDirectory}'); " +
                   $"reference the Trainwright (or TorchSharp-cpu) package so the build copies it. TorchSharp said: {FirstLine(original)}";
        string reason;
        if (NativeLibrary.TryLoad(shim, out var handle))
        {
            NativeLibrary.Free(handle);
            reason = FirstLine(original);
        }
        else
        {
            try { NativeLibrary.Load(shim); reason = FirstLine(original); }
            // .NET's message is a paragraph of advice; the loader's own words (dlerror) are its last line.
            catch (DllNotFoundException e) { reason = LastLine(e.Message); }
        }
        return ExplainLoaderMessage(shim, reason);
    }

    /// <summary>Turns the dynamic loader's message for <paramref name="shim"/> into the one line users see.</summary>
    public static string ExplainLoaderMessage(string shim, string loaderMessage)
    {
        ArgumentNullException.ThrowIfNull(loaderMessage);
        var at = loaderMessage.IndexOf("GLIBCXX_", StringComparison.Ordinal);
        if (at < 0)
            return $"TorchSharp's native library cannot load: {shim}: {loaderMessage}";
        var end = at;
        while (end < loaderMessage.Length && (char.IsAsciiLetterOrDigit(loaderMessage[end]) || loaderMessage[end] is '_' or '.')) end++;
        var version = loaderMessage[at..end].TrimEnd('.');
        var host = HostLibStdCxx() ?? "this host's libstdc++.so.6";
        return $"TorchSharp's native library cannot load: {shim} needs {version}, which {host} lacks (GCC 12 or older, e.g. Debian 12 or " +
               "Ubuntu 22.04). Build through the Trainwright package, or import build/Trainwright.targets with a project reference: " +
               "its build step patches the copy in bin/ (README, Platform notes); then rebuild.";
    }

    private static string? FindShim()
    {
        var rid = RuntimeInformation.RuntimeIdentifier;
        foreach (var candidate in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, ShimFileName),
                     Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", ShimFileName),
                     Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", ShimFileName),
                 })
        {
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string? HostLibStdCxx()
    {
        foreach (var dir in new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib" })
        {
            var path = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? text;

    private static string FirstLine(Exception e)
    {
        var inner = e;
        while (inner is TypeInitializationException { InnerException: { } next }) inner = next;
        var text = inner.Message;
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? text : text[..newline]).Trim();
    }
}
