using System.Diagnostics;
using System.Text;
using Trainwright.Tests.Distributed;

namespace Trainwright.Tests.Cli;

/// <summary>
/// Issue 14, case 13: under <c>mpirun -np 2</c>, a refusal on rank 0 (an --out that already holds a run) reached only
/// rank 0 and the job hung with no output. Now every rank learns of it right after setup: one line, exit 1, in seconds.
/// </summary>
public sealed class CliMpiTests
{
    [MpiFact]
    public void A_refusal_on_any_rank_ends_every_rank_at_once_with_one_line_and_exit_1()
    {
        using var ws = new CliWorkspace();
        var folder = ws.PathOf("run");
        var first = ws.Run("train", "--data", ws.Data14x14, "--epochs", "1", "--bs", "50", "--max-items", "100", "--out", folder, "--no-progress");
        Assert.True(first.ExitCode == 0, first.ToString());

        var occupied = RunUnderMpi(ws, "train", "--data", ws.Data14x14, "--epochs", "1", "--bs", "50", "--max-items", "100", "--out", folder, "--no-progress");
        Assert.Contains("already holds a run", occupied, StringComparison.Ordinal);
        // A refusal every rank meets before they can agree (missing data) is also printed once.
        var missing = RunUnderMpi(ws, "train", "--data", ws.PathOf("missing"), "--out", ws.PathOf("never"));
        Assert.Contains("does not exist", missing, StringComparison.Ordinal);
    }

    /// <summary>Runs the CLI under mpirun -np 2; asserts it ends with exit 1 and exactly one error line, and returns the output.</summary>
    private static string RunUnderMpi(CliWorkspace ws, params string[] args)
    {
        var info = new ProcessStartInfo(MpiRun.FindMpirun()!)
        {
            WorkingDirectory = ws.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", "2", "dotnet", CliProcess.DllPath }.Concat(args))
            info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        using var mpi = Process.Start(info)!;
        var output = new StringBuilder();
        mpi.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        mpi.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        mpi.BeginOutputReadLine();
        mpi.BeginErrorReadLine();
        bool ended = mpi.WaitForExit(TimeSpan.FromSeconds(90));
        if (!ended) mpi.Kill(entireProcessTree: true);
        mpi.WaitForExit();
        var text = output.ToString();
        Assert.True(ended, "the job hung:\n" + text);
        Assert.True(mpi.ExitCode == 1, $"exit {mpi.ExitCode}\n{text}");
        Assert.Single(text.Split('\n'), l => l.Contains("error:", StringComparison.Ordinal));
        return text;
    }
}
