using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Trainwright.Distributed;

namespace Trainwright.Cli.Host;

/// <summary>
/// How the processes of an mpirun job end when one of them dies. Open MPI's mpirun notices the death, sends SIGTERM to
/// every other process and SIGKILL shortly after; the survivors cannot finish a batch (its all-reduce waits for the dead
/// process), so on the first signal they print one line and exit at once, leaving the last checkpoint as it was (saves
/// are atomic). Which process died is found from the process ids the ranks exchanged at start-up: a peer on this
/// machine whose process is gone is named; peers on other machines cannot be checked.
/// </summary>
internal sealed class JobEnd
{
    private readonly DistributedSession session;
    private readonly long[] pids;
    private readonly long[] hosts;

    private JobEnd(DistributedSession session, long[] pids, long[] hosts)
    {
        this.session = session;
        this.pids = pids;
        this.hosts = hosts;
    }

    /// <summary>
    /// Exchanges process ids (a collective: every rank calls it at the same point) and makes the first stop signal end
    /// this process at once with one line, printed by the lowest rank still alive. <paramref name="describeCheckpoint"/>
    /// says where the run can be resumed from, evaluated when the signal comes.
    /// </summary>
    public static void Watch(DistributedSession session, StopSignals signals, Func<string> describeCheckpoint)
    {
        if (!session.IsDistributed) return;
        int size = session.WorldSize, rank = session.Rank;
        var table = new long[2 * size];
        table[2 * rank] = Environment.ProcessId;
        table[2 * rank + 1] = HostKey(Environment.MachineName);
        session.Communicator.AllReduce(table, ReduceOp.Sum);
        var end = new JobEnd(session, [.. Enumerable.Range(0, size).Select(r => table[2 * r])], [.. Enumerable.Range(0, size).Select(r => table[2 * r + 1])]);
        signals.EndAtOnce = signal => end.Exit(signal, describeCheckpoint);
    }

    private void Exit(PosixSignal signal, Func<string> describeCheckpoint)
    {
        var lost = LostRanks();
        int printer = Enumerable.Range(0, pids.Length).First(r => !lost.Contains(r));
        if (printer == session.Rank)
        {
            string name = signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
            string why = lost.Count > 0
                ? $"{Ranks(lost)} of the {pids.Length} processes ended unexpectedly, so mpirun stopped the job ({name})"
                : $"mpirun stopped the job ({name}): another process of the job ended, or the job was interrupted";
            string line;
            try
            {
                line = $"error: {why}; {describeCheckpoint()}";
            }
            catch (Exception)
            {
                // On the signal thread, with the job going down: a checkpoint that cannot be described must not crash the exit.
                line = $"error: {why}.";
            }
            Console.Out.Flush();
            Console.Error.WriteLine(line);
            Console.Error.Flush();
        }
        // No MPI_Finalize: it would wait for the dead process; and no batch can finish, so no checkpoint can be saved.
        session.Abandon();
        Environment.Exit(signal == PosixSignal.SIGINT ? ExitCodes.Interrupted : ExitCodes.Terminated);
    }

    /// <summary>Ranks on this machine whose process is gone (or a zombie).</summary>
    private List<int> LostRanks()
    {
        long here = HostKey(Environment.MachineName);
        var lost = new List<int>();
        for (int r = 0; r < pids.Length; r++)
            if (r != session.Rank && hosts[r] == here && !IsAlive((int)pids[r])) lost.Add(r);
        return lost;
    }

    private static string Ranks(List<int> ranks) =>
        ranks.Count == 1 ? $"rank {ranks[0]}" : "ranks " + string.Join(", ", ranks.Select(r => r.ToString(CultureInfo.InvariantCulture)));

    private static bool IsAlive(int pid)
    {
        // Linux shows a zombie (dead, not yet reaped) in /proc with state Z; elsewhere ask the runtime.
        var stat = $"/proc/{pid}/stat";
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var text = File.ReadAllText(stat);
                int close = text.LastIndexOf(')');
                return close >= 0 && close + 2 < text.Length && text[close + 2] != 'Z' && text[close + 2] != 'X';
            }
            catch (IOException)
            {
                return false;
            }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A hash of the machine name that is the same in every process (string.GetHashCode is not).</summary>
    private static long HostKey(string name)
    {
        // FNV-1a. Each slot of the exchanged table is filled by one rank (the others add 0), so the sum is exact.
        ulong hash = 14695981039346656037;
        foreach (char c in name)
        {
            hash ^= c;
            hash *= 1099511628211;
        }
        return (long)hash;
    }
}
