using Trainwright.Data;

namespace Trainwright.Tests.Cli;

/// <summary>
/// Bad input exits non-zero with one line that says what was wrong and where, no stack trace, and touches nothing that
/// already exists in the output folder.
/// </summary>
public sealed class CliBadInputTests
{
    [Fact]
    public void Each_bad_input_exits_nonzero_with_one_clear_line_and_leaves_existing_outputs_intact()
    {
        using var ws = new CliWorkspace();
        var run = ws.PathOf("run");
        var good = ws.Run("train", "--data", ws.Data14x14, "--epochs", "1", "--bs", "20", "--out", run, "--no-progress");
        Assert.True(good.ExitCode == 0, good.ToString());
        var before = CliWorkspace.Snapshot(run);
        var last = Path.Combine(run, "checkpoint-last");

        var empty = ws.PathOf("empty");
        Directory.CreateDirectory(empty);
        var truncated = CopyOfData(ws, "truncated");
        var pixels = IdxReader.Read(Path.Combine(ws.Data14x14, MnistData.TrainImagesName + ".gz"));
        // An uncompressed file wins over the .gz of the same name: cut it off halfway through the pixels.
        CliWorkspace.WriteRawIdx(Path.Combine(truncated, MnistData.TrainImagesName), pixels, keepBytes: 5000);
        var mismatch = CopyOfData(ws, "mismatch");
        var labels = (byte[])IdxReader.Read(Path.Combine(ws.Data14x14, MnistData.TrainLabelsName + ".gz")).Values;
        CliWorkspace.WriteRawIdx(Path.Combine(mismatch, MnistData.TrainLabelsName), IdxData.From(labels[..^1], labels.Length - 1));

        (string[] Args, string Expected)[] cases =
        [
            (["train", "--data", ws.PathOf("missing"), "--out", run], "does not exist"),
            (["train", "--data", empty, "--out", run], "has neither 'train-images-idx3-ubyte'"),
            (["train", "--data", truncated, "--out", run], "truncated"),
            (["train", "--data", mismatch, "--out", run], "count mismatch"),
            (["train", "--data", ws.Data14x14, "--bs", "0", "--out", run], "--bs must be at least 1; got 0"),
            (["train", "--data", ws.Data14x14, "--epochs", "-2", "--out", run], "--epochs must be at least 1"),
            (["train", "--data", ws.Data14x14, "--lr", "-0.1", "--out", run], "--lr must be a positive, finite number"),
            (["train", "--data", ws.Data14x14, "--lr", "fast", "--out", run], "--lr expects a number; got 'fast'"),
            (["train", "--data", ws.Data14x14, "--out", run], "already holds a run"),
            (["train", "--data", ws.Data14x14, "--out", Path.Combine(run, "metrics.csv", "sub")], "Cannot write to --out folder"),
            (["train", "--resume", last, "--model", "cnn"], "holds the model 'MLP 196-50-4'"),
            (["train", "--resume", Path.Combine(run, "metrics.csv")], "is not a Trainwright checkpoint"),
            (["evaluate", "--checkpoint", last, "--model", "cnn"], "holds the model 'MLP 196-50-4'"),
            (["evaluate", "--checkpoint", Path.Combine(run, "missing")], "does not exist"),
        ];
        foreach (var (args, expected) in cases)
        {
            var result = ws.Run(args);
            var what = $"trainwright {string.Join(' ', args)}\n{result}";
            Assert.True(result.ExitCode != 0, what);
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.True(line.Contains(expected, StringComparison.Ordinal), what);
            Assert.DoesNotContain(" at Trainwright", result.Stderr, StringComparison.Ordinal); // no stack trace
        }

        var after = CliWorkspace.Snapshot(run);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed");
    }

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        using var ws = new CliWorkspace();
        var result = ws.Run("train", "--data", ws.PathOf("missing"), "--verbose");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: --data folder", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(" at Trainwright.Cli", result.Stderr, StringComparison.Ordinal);
    }

    private static string CopyOfData(CliWorkspace ws, string name)
    {
        var copy = ws.PathOf(name);
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(ws.Data14x14)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }
}
