using System.Text.Json;
using Trainwright.Learning;

namespace Trainwright.Tests.Cli;

/// <summary>
/// Stopping a real training process: SIGINT and SIGTERM stop after the current batch with a resumable checkpoint,
/// SIGKILL never leaves a corrupt one, and a NaN loss keeps the last good one. The hidden <c>--batch-delay-ms</c> slows
/// each batch so a signal sent after the first epoch's line reliably lands in the middle of the second epoch.
/// </summary>
public sealed class CliStopTests
{
    private const int BatchesPerEpoch = 500 / 10; // 600 generated training images: 500 train, 100 valid; batch size 10

    [Fact]
    public void Sigint_mid_epoch_then_resume_reaches_the_same_weights_as_an_uninterrupted_run()
    {
        using var ws = new CliWorkspace();
        string[] common = ["train", "--data", ws.Data14x14, "--epochs", "2", "--bs", "10", "--no-progress"];

        var straight = ws.Run([.. common, "--out", ws.PathOf("straight")]);
        Assert.True(straight.ExitCode == 0, straight.ToString());

        var stopped = ws.PathOf("stopped");
        CliResult interrupted;
        using (var p = ws.Start([.. common, "--out", stopped, "--batch-delay-ms", "30"]))
        {
            Assert.True(p.WaitForOutput("epoch 1/2", TimeSpan.FromSeconds(60)), p.Stdout);
            Thread.Sleep(300); // about ten batches into epoch 2 (of 50 at 30 ms each)
            p.Signal("INT");
            interrupted = p.WaitForExit(TimeSpan.FromSeconds(60));
        }
        Assert.True(interrupted.ExitCode == 130, interrupted.ToString());
        Assert.Contains("Stopped by SIGINT", interrupted.Stdout, StringComparison.Ordinal);

        var last = Path.Combine(stopped, "checkpoint-last");
        var position = Checkpoint.ReadInfo(last).Position;
        Assert.Equal(1, position.Epoch);
        Assert.InRange(position.BatchesDone, 1, BatchesPerEpoch - 1); // stopped in the middle of epoch 2
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(stopped, "summary.json"))))
            Assert.Equal("interrupted", summary.RootElement.GetProperty("status").GetString());

        // Run exactly the command it printed.
        var line = interrupted.Stdout.Split('\n').Single(l => l.StartsWith("Resume with: ", StringComparison.Ordinal))["Resume with: ".Length..].Trim();
        var words = CliWorkspace.SplitShell(line);
        Assert.Equal("dotnet", words[0]);
        Assert.Equal(CliProcess.DllPath, words[1]);
        var resumed = ws.Run([.. words.Skip(2)]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());

        var expected = CliWorkspace.MlpWeights(Path.Combine(ws.PathOf("straight"), "checkpoint-last"), 196, 50, 4);
        var actual = CliWorkspace.MlpWeights(last, 196, 50, 4);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]); // bit for bit

        // The log was appended to: epoch 1 kept, the partial epoch 2 row replaced by the finished one.
        var csv = File.ReadAllLines(Path.Combine(stopped, "metrics.csv"));
        Assert.Equal(3, csv.Length);
        var straightCsv = File.ReadAllLines(Path.Combine(ws.PathOf("straight"), "metrics.csv"));
        Assert.Equal(ValidColumns(straightCsv[2]), ValidColumns(csv[2]));
    }

    [Fact]
    public void Sigterm_stops_with_exit_143_and_a_loadable_checkpoint()
    {
        using var ws = new CliWorkspace();
        var outDir = ws.PathOf("run");
        CliResult result;
        using (var p = ws.Start("train", "--data", ws.Data14x14, "--epochs", "2", "--bs", "10", "--out", outDir, "--no-progress", "--batch-delay-ms", "30"))
        {
            Assert.True(p.WaitForOutput("epoch 1/2", TimeSpan.FromSeconds(60)), p.Stdout);
            Thread.Sleep(200);
            p.Signal("TERM");
            result = p.WaitForExit(TimeSpan.FromSeconds(60));
        }
        Assert.True(result.ExitCode == 143, result.ToString());
        Assert.Contains("Stopped by SIGTERM", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--resume", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, CliWorkspace.MlpWeights(Path.Combine(outDir, "checkpoint-last"), 196, 50, 4).Count);
    }

    [Fact]
    public void Sigkill_during_training_leaves_the_previous_checkpoint_loadable()
    {
        using var ws = new CliWorkspace();
        var outDir = ws.PathOf("run");
        using (var p = ws.Start("train", "--data", ws.Data14x14, "--epochs", "3", "--bs", "10", "--out", outDir, "--no-progress", "--batch-delay-ms", "20"))
        {
            Assert.True(p.WaitForOutput("epoch 1/3", TimeSpan.FromSeconds(60)), p.Stdout);
            Thread.Sleep(250);
            p.Signal("KILL");
            var killed = p.WaitForExit(TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, killed.ExitCode);
        }
        var last = Path.Combine(outDir, "checkpoint-last");
        var info = Checkpoint.ReadInfo(last);
        Assert.Equal(1, info.Position.Epoch); // the end-of-epoch-1 checkpoint
        Assert.Equal(4, CliWorkspace.MlpWeights(last, 196, 50, 4).Count);

        // And it resumes.
        var resumed = ws.Run("train", "--resume", last);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(3, Checkpoint.ReadInfo(last).Position.Epoch);
    }

    [Fact]
    public void Nan_loss_exits_3_naming_epoch_and_batch_and_keeps_the_last_good_checkpoint()
    {
        using var ws = new CliWorkspace();
        var outDir = ws.PathOf("run");
        // Bundled MNIST, not the generated set: on that one the loss is ~0 after an epoch and so are the gradients.
        var first = ws.Run("train", "--max-items", "300", "--epochs", "1", "--out", outDir, "--no-progress");
        Assert.True(first.ExitCode == 0, first.ToString());
        var last = Path.Combine(outDir, "checkpoint-last");
        var good = File.ReadAllBytes(last);

        // A second epoch at an absurd constant learning rate overflows the weights within a few batches.
        var diverged = ws.Run("train", "--resume", last, "--epochs", "2", "--lr", "1e10", "--schedule", "const");
        Assert.True(diverged.ExitCode == 3, diverged.ToString());
        var message = Assert.Single(diverged.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"NaN or infinite at epoch 2, training batch \d+", message);
        Assert.Contains("last good checkpoint is kept", message, StringComparison.Ordinal);
        Assert.Equal(good, File.ReadAllBytes(last));
    }

    private static string ValidColumns(string row) => string.Join(",", row.Split(',')[2], row.Split(',')[4]);
}
