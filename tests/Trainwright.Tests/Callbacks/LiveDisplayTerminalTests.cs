using System.Diagnostics;
using System.Text.RegularExpressions;
using Trainwright.Tests.Cli;

namespace Trainwright.Tests.Callbacks;

/// <summary>A fact that needs tmux: skipped, with the reason, when it is not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        if (LiveDisplayTerminalTests.Tmux(null, "-V").ExitCode != 0)
            Skip = "tmux is not on PATH: install it (apt-get install -y tmux) to check the live display in a real terminal.";
    }
}

/// <summary>
/// The live progress display as a person sees it: the command runs in a real terminal (a detached tmux session, 120x40)
/// and the screen is read back with capture-pane while it trains and after it ends. Redirected output cannot show these
/// faults, since they are about what cursor movement leaves on the screen.
/// </summary>
public sealed partial class LiveDisplayTerminalTests
{
    private const int Columns = 120;

    internal static (int ExitCode, string Output) Tmux(string? socket, params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (socket is not null) { info.ArgumentList.Add("-L"); info.ArgumentList.Add(socket); }
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            var output = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "");
        }
    }

    [GeneratedRegex(@"^\s*epoch \d/2 .*?(\d+)%")]
    private static partial Regex EpochBar();

    [GeneratedRegex(@"^\s*valid .*?(\d+)% (\d\d):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)")]
    private static partial Regex ValidBarWithEstimate();

    // "  1/2      0.3307      0.1160    0.9659     1.1s": the row, and nothing after it.
    [GeneratedRegex(@"^\s+\d/2\s+\d+\.\d{4}\s+\d+\.\d{4}\s+\d+\.\d{4}\s+\d+\.\ds\s*$")]
    private static partial Regex EpochRow();

    [TmuxFact]
    public void RowsAreCleanTheEpochBarMovesAndEstimatesArePlausible()
    {
        var socket = "tw-test-" + Guid.NewGuid().ToString("N")[..8];
        var work = Directory.CreateTempSubdirectory("tw-tmux-").FullName;
        var frames = new List<string[]>();
        try
        {
            // The batch delay keeps each epoch on screen for a couple of seconds: a bare MLP epoch is over in well under one.
            var command = $"cd '{work}' && dotnet '{CliProcess.DllPath}' train --epochs 2 --max-items 10000 --batch-delay-ms 10 --out run; echo TRAINWRIGHT-EXITED $?; sleep 120";
            var started = Tmux(socket, "new-session", "-d", "-s", "t", "-x", Columns.ToString(), "-y", "40", command);
            Assert.Equal(0, started.ExitCode);
            var clock = Stopwatch.StartNew();
            string[] screen = [];
            while (clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                screen = Tmux(socket, "capture-pane", "-p", "-t", "t").Output.Split('\n');
                frames.Add(screen);
                if (screen.Any(l => l.StartsWith("TRAINWRIGHT-EXITED", StringComparison.Ordinal))) break;
                Thread.Sleep(150);
            }
            var all = string.Join("\n", screen);
            Assert.Contains("TRAINWRIGHT-EXITED 0", all, StringComparison.Ordinal);

            // 1. Each epoch's row is exactly the row: no progress-bar characters left over from the bars it was drawn over.
            var rows = screen.Where(l => Regex.IsMatch(l, @"^\s+\d/2\s")).ToList();
            Assert.True(rows.Count == 2, "expected two epoch rows on the final screen:\n" + all);
            Assert.All(rows, r => Assert.Matches(EpochRow(), r));

            // 2. While the first epoch runs, its bar moves: some frame before the first row shows it above 0%.
            var duringFirstEpoch = frames.TakeWhile(f => !f.Any(l => EpochRow().IsMatch(l))).ToList();
            var epochPercents = duringFirstEpoch.SelectMany(f => f).Select(l => EpochBar().Match(l)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.True(epochPercents.Count > 0, "no frame showed the epoch bar during the first epoch:\n" + string.Join("\n---\n", frames.Select(f => string.Join("\n", f))));
            Assert.True(epochPercents.Max() > 0, "the epoch bar stayed at 0% through the first epoch");

            // 3. The validation bar's estimate of the remaining time is within the whole run's duration (the run takes
            //    well under two minutes; a bar that inherited the training bar's history showed nonsense).
            var runSeconds = clock.Elapsed.TotalSeconds;
            foreach (var m in frames.SelectMany(f => f).Select(l => ValidBarWithEstimate().Match(l)).Where(m => m.Success))
            {
                int S(int g) => int.Parse(m.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture);
                var remaining = S(5) * 3600 + S(6) * 60 + S(7);
                Assert.True(remaining <= runSeconds, $"validation bar estimates {remaining}s left in a run of {runSeconds:0}s: {m.Value}");
            }
        }
        finally
        {
            Tmux(socket, "kill-server");
            Directory.Delete(work, recursive: true);
        }
    }
}
