using System.Runtime.InteropServices;

namespace Trainwright.Cli.Host;

/// <summary>
/// Catches SIGINT (Ctrl+C) and SIGTERM while training so the run can stop cleanly: the first signal only raises a flag
/// that <see cref="Runs.StopOnSignal"/> turns into a stop after the current batch; a second one ends the process at once.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly PosixSignalRegistration[] registrations;
    private readonly TextWriter stderr;
    private int received; // the first signal's number, 0 while none

    public StopSignals(TextWriter stderr)
    {
        this.stderr = stderr;
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    /// <summary>
    /// When set, the first signal calls it instead of asking the loop to stop: under mpirun a signal comes from the
    /// launcher ending the whole job (a process died, or the job was interrupted), and the process must leave at once.
    /// It receives the signal and normally does not return.
    /// </summary>
    public Action<PosixSignal>? EndAtOnce { get; set; }

    /// <summary>The first signal received, or null.</summary>
    public PosixSignal? Received => received == 0 ? null : (PosixSignal)received;

    /// <summary>True once a signal asked to stop.</summary>
    public bool StopRequested => received != 0;

    /// <summary>The exit code for the signal received: 128 + its number (130 for SIGINT, 143 for SIGTERM).</summary>
    public int ExitCode => Received == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>Its conventional name.</summary>
    public string Name => Received == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";

    private void Handle(PosixSignalContext context)
    {
        // Never let the runtime terminate the process on the first signal: the loop stops at the next batch boundary.
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref received, (int)context.Signal, 0) == 0)
        {
            if (EndAtOnce is { } end)
            {
                end(context.Signal);
                return;
            }
            stderr.WriteLine();
            stderr.WriteLine($"{SignalName(context.Signal)} received: finishing the current batch and saving a checkpoint (press Ctrl+C again to abort at once).");
            return;
        }
        // Checkpoints are written atomically, so exiting in the middle of a save leaves the previous one intact.
        stderr.WriteLine($"{SignalName(context.Signal)} received again: exiting now.");
        stderr.Flush();
        Environment.Exit(context.Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted);
    }

    private static string SignalName(PosixSignal signal) => signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
    }
}
