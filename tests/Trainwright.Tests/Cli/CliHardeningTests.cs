using System.Diagnostics;
using Trainwright.Data;
using Trainwright.Learning;

namespace Trainwright.Tests.Cli;

/// <summary>
/// Issue 14 against the real process: every input a user can get wrong is one line and exit 1 (never 70 or a native
/// abort), sizes are bounded, a run folder belongs to one run, and --resume refuses what would mix or lose runs.
/// </summary>
public sealed class CliHardeningTests
{
    private static void AssertOneLine(CliResult result, string expected, string what, int exitCode = 1)
    {
        Assert.True(result.ExitCode == exitCode, what + "\n" + result);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.True(line.Contains(expected, StringComparison.Ordinal), what + "\n" + result);
        Assert.DoesNotContain(" at Trainwright", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_culture_confused_and_empty_option_values_are_one_line_naming_the_option()
    {
        using var ws = new CliWorkspace();
        var fifoData = ws.PathOf("fifo-data");
        Directory.CreateDirectory(fifoData);
        foreach (var file in Directory.GetFiles(ws.Data14x14)) File.Copy(file, Path.Combine(fifoData, Path.GetFileName(file)));
        File.Delete(Path.Combine(fifoData, MnistData.TrainImagesName + ".gz"));
        if (!OperatingSystem.IsWindows())
            using (var mk = Process.Start("mkfifo", [Path.Combine(fifoData, MnistData.TrainImagesName)])) mk.WaitForExit();

        (string[] Args, string Expected)[] cases =
        [
            (["train", "--lr", "1,5"], "--lr expects a number with '.' as the decimal point; got '1,5'"),
            (["train", "--lr", "1e300"], "--lr must be at most 1e10; got 1e300"),
            (["train", "--hidden", "10000000"], "--hidden must be at most 65536; got 10000000"),
            (["train", "--bs", "1073741824"], "--bs must be at most 65536; got 1073741824"),
            (["train", "--threads", "100000"], "--threads must be at most 256; got 100000"),
            (["train", "--epochs", "1,000"], "--epochs expects a whole number with '.' as the decimal point; got '1,000'"),
            (["lr-find", "--max-iter", "1000000000"], "--max-iter must be at most 100000"),
            (["train", "--data", ""], "--data is empty"),
            (["train", "--data", ws.Data14x14, "--out", ""], "--out is empty"),
            (["train", "--resume", " "], "--resume is empty"),
            (["evaluate", "--checkpoint", ""], "--checkpoint is empty"),
            (["train", "--data", "/dev/zero"], "is a device, not a regular file"),
            (["train", "--data", fifoData, "--out", ws.PathOf("never")], OperatingSystem.IsWindows() ? "has neither" : "FIFO"),
        ];
        foreach (var (args, expected) in cases)
            AssertOneLine(CliProcess.Run(ws.Root, 60, args), expected, "trainwright " + string.Join(' ', args));
        Assert.False(Directory.Exists(ws.PathOf("never")));
    }

    private static string WriteLabelled(string folder, int[] trainLabels, int[] testLabels, int size = 4)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(3);
        byte[] Pixels(int n) { var p = new byte[n * size * size]; random.NextBytes(p); return p; }
        IdxWriter.Write(Path.Combine(folder, MnistData.TrainImagesName), Pixels(trainLabels.Length), trainLabels.Length, size, size);
        IdxWriter.Write(Path.Combine(folder, MnistData.TrainLabelsName), trainLabels, trainLabels.Length);
        IdxWriter.Write(Path.Combine(folder, MnistData.TestImagesName), Pixels(testLabels.Length), testLabels.Length, size, size);
        IdxWriter.Write(Path.Combine(folder, MnistData.TestLabelsName), testLabels, testLabels.Length);
        return folder;
    }

    [Fact]
    public void Labels_are_a_bounded_vocabulary_and_evaluate_on_thousands_of_classes_prints_a_short_summary()
    {
        using var ws = new CliWorkspace();
        // One stray label of 100,000,000 among 0..3 (it OOM-killed the process before): five classes and a warning.
        var labels = Enumerable.Range(0, 120).Select(i => i % 4).ToArray();
        labels[7] = 100_000_000;
        var stray = WriteLabelled(ws.PathOf("stray"), labels, [0, 1, 2, 3]);
        var run = ws.Run("train", "--data", stray, "--epochs", "1", "--bs", "20", "--out", ws.PathOf("stray-run"), "--no-progress");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("16 images, 5 classes", run.Stdout.Replace("4x4", "16", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("warning: 1 of 5 classes have fewer than 5 training examples (label 100000000: 1)", run.Stderr, StringComparison.Ordinal);

        // Evaluating it on data with a class it never saw blames the data, not --model.
        var unseen = WriteLabelled(ws.PathOf("unseen"), labels, [0, 1, 2, 9]);
        AssertOneLine(ws.Run("evaluate", "--checkpoint", Path.Combine(ws.PathOf("stray-run"), "checkpoint-last"), "--data", unseen),
            "holds the label 9, which is not one of the 5 classes given (0, 1, 2, 3, 100000000)", "unseen class");

        var single = WriteLabelled(ws.PathOf("single"), new int[60], new int[6]);
        AssertOneLine(ws.Run("train", "--data", single, "--out", ws.PathOf("x")), "a classifier needs at least two classes", "single class");

        const int classes = 1500;
        var many = WriteLabelled(ws.PathOf("many"), [.. Enumerable.Range(0, 2 * classes).Select(i => i % classes)], [.. Enumerable.Range(0, classes)]);
        AssertOneLine(ws.Run("train", "--data", many, "--out", ws.PathOf("x")), "more than 1000 distinct labels", "many classes");
        var manyRun = ws.PathOf("many-run");
        var trained = ws.Run("train", "--data", many, "--max-classes", "2000", "--hidden", "8", "--epochs", "1", "--bs", "256", "--out", manyRun, "--no-progress");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        var eval = CliProcess.Run(ws.Root, 60, "evaluate", "--checkpoint", Path.Combine(manyRun, "checkpoint-last"));
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains($"Confusion matrix not shown: {classes} classes are more than 20", eval.Stdout, StringComparison.Ordinal);
        Assert.True(eval.Stdout.Split('\n').Length < 40, eval.Stdout);

        // A finder that never saw the loss diverge says so rather than passing max/10 off as a finding.
        var lr = ws.Run("lr-find", "--data", ws.Data14x14, "--bs", "16", "--max-iter", "3", "--out", ws.PathOf("lr"));
        Assert.True(lr.ExitCode == 0, lr.ToString());
        Assert.Contains("the loss never diverged up to 10", lr.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_folder_belongs_to_one_run_and_a_killed_runs_lock_and_temp_files_do_not_outlive_it()
    {
        using var ws = new CliWorkspace();
        var folder = ws.PathOf("run");
        using (var first = ws.Start("train", "--data", ws.Data14x14, "--bs", "10", "--epochs", "1", "--out", folder, "--no-progress", "--batch-delay-ms", "200"))
        {
            Assert.True(first.WaitForOutput("Output:", TimeSpan.FromSeconds(60)), first.Stdout);
            AssertOneLine(ws.Run("train", "--data", ws.Data14x14, "--epochs", "1", "--out", folder), "is in use by another trainwright run (pid", "second run");
            first.Signal("KILL");
            first.WaitForExit(TimeSpan.FromSeconds(30));
        }
        Assert.False(File.Exists(Path.Combine(folder, "checkpoint-last")));
        // What a save killed mid-write leaves behind.
        var stale = Path.Combine(folder, ".checkpoint-last.4242.0123456789abcdef.tmp");
        File.WriteAllBytes(stale, new byte[1000]);
        var next = ws.Run("train", "--data", ws.Data14x14, "--epochs", "1", "--bs", "50", "--max-items", "100", "--out", folder, "--no-progress");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(Path.Combine(folder, ".trainwright.lock")));
        Assert.Empty(Directory.GetFiles(folder, ".*.tmp"));
    }

    [Fact]
    public void Resume_keeps_runs_apart_refuses_damage_and_says_when_a_run_is_finished()
    {
        using var ws = new CliWorkspace();
        var a = ws.PathOf("a");
        var first = ws.Run("train", "--data", ws.Data14x14, "--epochs", "1", "--bs", "50", "--max-items", "120", "--out", a, "--no-progress");
        Assert.True(first.ExitCode == 0, first.ToString());
        var lastA = Path.Combine(a, "checkpoint-last");
        var before = CliWorkspace.Snapshot(a);

        var finished = ws.Run("train", "--resume", lastA);
        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.Contains("is a finished run: all 1 epoch are done, nothing changed", finished.Stdout, StringComparison.Ordinal);
        AssertOneLine(ws.Run("train", "--resume", lastA, "--epochs", "2", "--out", ws.Data14x14), "is not empty; a resumed run writes into its own folder", "occupied --out");

        var c = ws.PathOf("c");
        var continued = ws.Run("train", "--resume", lastA, "--epochs", "2", "--out", c, "--no-progress");
        Assert.True(continued.ExitCode == 0, continued.ToString());
        Assert.Equal(2, Checkpoint.ReadInfo(Path.Combine(c, "checkpoint-last")).Position.Epoch);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(c, "metrics.csv")).Length); // header, epoch 1 (carried over), epoch 2
        AssertOneLine(ws.Run("train", "--resume", Path.Combine(c, "checkpoint-last"), "--epochs", "1"), "--epochs 1 is fewer than the run", "fewer epochs");

        var damaged = ws.PathOf("damaged");
        var bytes = File.ReadAllBytes(lastA);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(damaged, bytes);
        AssertOneLine(ws.Run("evaluate", "--checkpoint", damaged), $"Checkpoint '{damaged}' is damaged", "evaluate damaged");
        AssertOneLine(ws.Run("train", "--resume", damaged, "--epochs", "2", "--out", ws.PathOf("d")), $"Checkpoint '{damaged}' is damaged", "resume damaged");

        var after = CliWorkspace.Snapshot(a);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, content) in before) Assert.True(content.AsSpan().SequenceEqual(after[file]), $"{file} changed");
    }

    [Fact]
    public void Resuming_mid_epoch_with_another_batch_size_is_refused()
    {
        using var ws = new CliWorkspace();
        var folder = ws.PathOf("run");
        CliResult stopped;
        using (var p = ws.Start("train", "--data", ws.Data14x14, "--bs", "10", "--epochs", "1", "--out", folder, "--no-progress", "--batch-delay-ms", "30"))
        {
            Assert.True(p.WaitForOutput("Output:", TimeSpan.FromSeconds(60)), p.Stdout);
            Thread.Sleep(500);
            p.Signal("INT");
            stopped = p.WaitForExit(TimeSpan.FromSeconds(60));
        }
        Assert.True(stopped.ExitCode == 130, stopped.ToString());
        var last = Path.Combine(folder, "checkpoint-last");
        Assert.InRange(Checkpoint.ReadInfo(last).Position.BatchesDone, 1, 49);
        AssertOneLine(ws.Run("train", "--resume", last, "--bs", "20"), "with --bs 10; resuming it with --bs 20 would skip the wrong items", "other bs");
    }
}
