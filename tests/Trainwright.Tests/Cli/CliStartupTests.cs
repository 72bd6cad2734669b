using System.Text.Json;

namespace Trainwright.Tests.Cli;

/// <summary>
/// Issue 13, goal 7: a training command loads libtorch on a background thread while it reads its command line and data.
/// These check what that must not change: the thread count still applies (on the thread that trains), and help, version
/// and a mistyped command line never load libtorch. The dynamic loader itself says what it loaded (glibc's LD_DEBUG).
/// </summary>
public sealed class CliStartupTests
{
    [Theory]
    [InlineData(null, 0)] // the default: one per core (the ThreadTuner restores it after the fit)
    [InlineData("1", 1)]
    [InlineData("2", 2)]
    public void The_thread_count_applies_although_libtorch_loads_in_the_background(string? threads, int expected)
    {
        if (expected == 0) expected = Math.Min(Environment.ProcessorCount, 256);
        using var ws = new CliWorkspace();
        var outDir = ws.PathOf("run");
        string[] args = ["train", "--max-items", "64", "--epochs", "1", "--no-progress", "--out", outDir];
        var run = ws.Run(threads is null ? args : [.. args, "--threads", threads]);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        // torch.get_num_threads() read on the main thread at the end of the run: what the training thread used.
        Assert.Equal(expected, summary.RootElement.GetProperty("versions").GetProperty("torch_threads").GetInt32());
    }

    [Theory]
    [InlineData(false, "train")]                        // the CNNs' ThreadTuner protects it: OpenMP's default spinning
    [InlineData(false, "train", "--model", "cnn")]
    [InlineData(true, "train", "--threads", "2")]       // a fixed count has no tuner to fall back
    [InlineData(true, "lr-find")]                       // neither has lr-find
    [InlineData(true, "evaluate", "--model", "x")]
    [InlineData(true, "predict", "--model", "x", "y")]
    public void OpenMp_spins_briefly_except_when_training_with_the_tuner(bool limits, params string[] args) =>
        Assert.Equal(limits, Trainwright.Cli.CliApp.LimitsSpinning(Trainwright.Cli.CliApp.Build().Parse(args)));

    [Fact]
    public void Help_version_and_a_mistyped_training_command_line_never_load_libtorch()
    {
        if (!OperatingSystem.IsLinux()) return; // LD_DEBUG is glibc's
        using var ws = new CliWorkspace();
        var loaderReport = new Dictionary<string, string> { ["LD_DEBUG"] = "files" };
        // The control: a training run does load it, and LD_DEBUG shows that.
        var train = CliProcess.Run(ws.Root, loaderReport, "train", "--max-items", "64", "--epochs", "1", "--no-progress", "--out", ws.PathOf("run"));
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("libtorch_cpu.so", train.Stderr, StringComparison.Ordinal);

        foreach (var (args, exitCode) in new (string[], int)[]
                 {
                     (["--help"], 0), (["--version"], 0), (["train", "--help"], 0), (["lr-find", "-h"], 0),
                     (["train", "--epochs", "x"], 1), (["train", "--bogus"], 1), (["trian"], 1),
                 })
        {
            var run = CliProcess.Run(ws.Root, loaderReport, args);
            Assert.True(run.ExitCode == exitCode, $"{string.Join(' ', args)}: {run}");
            Assert.False(run.Stderr.Contains("libtorch_cpu.so", StringComparison.Ordinal), $"{string.Join(' ', args)} loaded libtorch");
        }
    }
}
