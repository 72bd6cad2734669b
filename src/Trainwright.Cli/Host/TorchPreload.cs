using Trainwright.Platform;

namespace Trainwright.Cli.Host;

/// <summary>
/// Starts loading libtorch (about 0.2 s of dynamic linking) on a background thread as soon as the command line names a
/// command that trains or predicts, so the load overlaps parsing the command line and reading the data instead of
/// preceding them. The first torch use waits for it (<see cref="TorchNative.EnsureLoaded"/>). Anything that must be set
/// before libtorch loads (an <c>OMP_*</c> variable through a real <c>setenv</c>) has to happen before <see cref="Start"/>.
/// </summary>
internal static class TorchPreload
{
    private static readonly HashSet<string> TorchCommands = new(StringComparer.Ordinal)
    {
        "train", "lr-find", "evaluate", "predict", "export", "show-batch", "init-study",
    };

    /// <summary>The load, when <paramref name="args"/> name a command that needs torch (not for help or the version).</summary>
    public static Task? Start(IReadOnlyList<string> args)
    {
        var command = args.FirstOrDefault(a => !a.StartsWith('-'));
        if (command is null || !TorchCommands.Contains(command)) return null;
        if (args.Any(a => a is "--help" or "-h" or "-?" or "/?" or "/h" or "--version")) return null;
        return TorchNative.BeginLoad();
    }

    /// <summary>
    /// Waits for a load still running when the command ends (help, a parse error): a process must not exit while another
    /// thread is inside the dynamic loader. A failed load is the command's to report where it needed torch, so it is
    /// not reported again here.
    /// </summary>
    public static void Settle(Task? load)
    {
        if (load is null) return;
        try
        {
            load.Wait();
        }
        catch (AggregateException)
        {
            // Reported by the command that needed torch, if any did.
        }
    }
}
