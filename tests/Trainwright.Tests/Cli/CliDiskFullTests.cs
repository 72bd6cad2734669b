using System.Diagnostics;

namespace Trainwright.Tests.Cli;

/// <summary>A fact that mounts a small tmpfs to fill a disk: it needs root (skipped, with the reason, otherwise).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName != "root")
            Skip = "needs root on Linux to mount a small tmpfs that can be filled.";
    }
}

/// <summary>
/// Issue 14, case 9: a stop signal while the disk is full reported "checkpoint-last does not exist"; the real error
/// (no space left) must reach the user, with the signal's exit code and nothing half written.
/// </summary>
public sealed class CliDiskFullTests
{
    private static int Sh(params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(args[0], args[1..]) { UseShellExecute = false, RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode;
    }

    [RootFact]
    public void A_stop_signal_on_a_full_disk_keeps_the_real_error()
    {
        using var ws = new CliWorkspace();
        var disk = ws.PathOf("disk");
        Directory.CreateDirectory(disk);
        Assert.Equal(0, Sh("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", disk));
        try
        {
            var folder = Path.Combine(disk, "run");
            CliResult result;
            using (var p = ws.Start("train", "--data", ws.Data14x14, "--bs", "10", "--epochs", "1", "--out", folder, "--no-progress", "--batch-delay-ms", "100"))
            {
                Assert.True(p.WaitForOutput("Output:", TimeSpan.FromSeconds(60)), p.Stdout);
                Thread.Sleep(1500); // past the fit's start, when the CSV log and TensorBoard files are created
                using (var fill = new FileStream(Path.Combine(disk, "fill"), FileMode.Create))
                {
                    var block = new byte[64 << 10];
                    try { while (true) fill.Write(block); }
                    catch (IOException) { }
                }
                p.Signal("INT");
                result = p.WaitForExit(TimeSpan.FromSeconds(60));
            }
            Assert.True(result.ExitCode == 130, result.ToString());
            var error = Assert.Single(result.Stderr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
            Assert.Contains("no resumable checkpoint could be written", error, StringComparison.Ordinal);
            Assert.Contains("No space left on device", error, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(folder, ".*"));
        }
        finally
        {
            Sh("umount", disk);
        }
    }
}
