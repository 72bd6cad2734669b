using System.Text.Json;
using Trainwright.Learning;

namespace Trainwright.Tests.Cli;

/// <summary>
/// End-to-end runs of the built <c>trainwright</c> executable: what it writes and prints. Tiny slices and the MLP keep
/// each run to a couple of seconds (mostly process start-up and libtorch loading).
/// </summary>
public sealed class CliTrainTests
{
    [Fact]
    public void Short_train_on_bundled_mnist_writes_every_output_and_evaluate_reads_its_checkpoint()
    {
        using var ws = new CliWorkspace();
        var run = ws.Run("train", "--max-items", "400", "--epochs", "2", "--no-progress");
        Assert.True(run.ExitCode == 0, run.ToString());

        // The default output folder: runs/<yyyyMMdd-HHmmss> under the working directory.
        var outDir = Assert.Single(Directory.GetDirectories(Path.Combine(ws.Root, "runs")));
        Assert.Matches(@"^\d{8}-\d{6}$", Path.GetFileName(outDir));
        foreach (var file in new[] { "metrics.csv", "lr.png", "loss.png", "checkpoint-last", "checkpoint-best", "summary.json" })
            Assert.True(new FileInfo(Path.Combine(outDir, file)) is { Exists: true, Length: > 0 }, $"{file} missing or empty");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(outDir, "tensorboard"), "events.out.tfevents.*"));

        var csv = File.ReadAllLines(Path.Combine(outDir, "metrics.csv"));
        Assert.Equal("epoch,train_loss,valid_loss,train_accuracy,valid_accuracy,lr,seconds", csv[0]);
        Assert.Equal(3, csv.Length);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal("MLP 784-50-10", root.GetProperty("model").GetString());
        double accuracy = root.GetProperty("final").GetProperty("valid_accuracy").GetDouble();
        Assert.InRange(accuracy, 0.0, 1.0);
        Assert.Equal("0.1", root.GetProperty("options").GetProperty("lr").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("versions").GetProperty("libtorch").GetString()));
        // The console reports the same final accuracy the summary holds.
        Assert.Contains($"Final validation accuracy: {accuracy:0.0000}", run.Stdout, StringComparison.Ordinal);

        var info = Checkpoint.ReadInfo(Path.Combine(outDir, "checkpoint-last"));
        Assert.Equal("mlp", info.Metadata["model.kind"]);
        Assert.Equal("10", info.Metadata["model.classes"]);

        var eval = ws.Run("evaluate", "--checkpoint", Path.Combine(outDir, "checkpoint-best"), "--max-items", "200");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("Test accuracy:", eval.Stdout, StringComparison.Ordinal);
        Assert.Contains("Confusion matrix", eval.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_14x14_images_with_4_classes_train_an_mlp_and_a_cnn()
    {
        using var ws = new CliWorkspace();
        var mlpOut = ws.PathOf("mlp");
        var mlp = ws.Run("train", "--data", ws.Data14x14, "--epochs", "2", "--bs", "16", "--out", mlpOut, "--no-progress");
        Assert.True(mlp.ExitCode == 0, mlp.ToString());
        Assert.Contains("MLP 196-50-4", mlp.Stdout, StringComparison.Ordinal);
        Assert.Contains("14x14 images, 4 classes", mlp.Stdout, StringComparison.Ordinal);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(mlpOut, "summary.json"))))
            // Each class lights its own band of rows: an MLP separates them in two epochs.
            Assert.True(summary.RootElement.GetProperty("final").GetProperty("valid_accuracy").GetDouble() > 0.9, mlp.ToString());

        var eval = ws.Run("evaluate", "--checkpoint", Path.Combine(mlpOut, "checkpoint-best"));
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("120 items", eval.Stdout, StringComparison.Ordinal);

        // The CNN trains with its own recipe unless told otherwise: Adam β 0.7/0.9, lr 0.01, batch 128, label smoothing.
        var cnnOut = ws.PathOf("cnn");
        var cnn = ws.Run("train", "--data", ws.Data14x14, "--model", "cnn", "--epochs", "1", "--max-items", "200", "--out", cnnOut, "--no-progress");
        Assert.True(cnn.ExitCode == 0, cnn.ToString());
        Assert.Contains("CNN (5x5 conv 24, 3x3 conv 32, dense 256) on 1x14x14 images, 4 classes", cnn.Stdout, StringComparison.Ordinal);
        Assert.Contains("adam lr 0.01, β 0.7/0.9, label smoothing 0.1, one-cycle schedule, 1 epoch, batch size 128", cnn.Stdout, StringComparison.Ordinal);
        var cnnMeta = Checkpoint.ReadInfo(Path.Combine(cnnOut, "checkpoint-last")).Metadata;
        Assert.Equal("cnn", cnnMeta["model.kind"]);
        Assert.Equal("fast", cnnMeta["model.design"]);
        Assert.Equal(("adam", "128", "0.01"), (cnnMeta["train.opt"], cnnMeta["train.bs"], cnnMeta["train.lr"]));
        var cnnEval = ws.Run("evaluate", "--checkpoint", Path.Combine(cnnOut, "checkpoint-last"));
        Assert.True(cnnEval.ExitCode == 0, cnnEval.ToString());

        // Options typed win over the recipe; the lesson's CNN is still there by name.
        var sgd = ws.Run("train", "--data", ws.Data14x14, "--model", "cnn", "--opt", "sgd", "--epochs", "1", "--max-items", "100",
            "--out", ws.PathOf("cnn-sgd"), "--no-progress");
        Assert.True(sgd.ExitCode == 0, sgd.ToString());
        Assert.Contains("sgd lr 0.1, label smoothing 0.1, one-cycle schedule, 1 epoch, batch size 128", sgd.Stdout, StringComparison.Ordinal);
        var lesson = ws.Run("train", "--data", ws.Data14x14, "--model", "lesson-cnn", "--opt", "adam", "--epochs", "1", "--bs", "32",
            "--max-items", "100", "--out", ws.PathOf("lesson-cnn"), "--no-progress");
        Assert.True(lesson.ExitCode == 0, lesson.ToString());
        Assert.Contains("lesson CNN 32-32-64-64-128 on 1x14x14 images, 4 classes, adam lr 0.003, one-cycle schedule, 1 epoch, batch size 32", lesson.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Lr_find_init_study_and_schedules_write_their_charts()
    {
        using var ws = new CliWorkspace();
        var lr = ws.Run("lr-find", "--data", ws.Data14x14, "--bs", "16", "--max-iter", "30", "--out", ws.PathOf("lr"));
        Assert.True(lr.ExitCode == 0, lr.ToString());
        Assert.Matches(@"Suggested learning rate: \d", lr.Stdout);
        Assert.True(File.Exists(ws.PathOf("lr/lr-find.png")));

        var study = ws.Run("init-study", "--data", ws.Data14x14, "--out", ws.PathOf("study"));
        Assert.True(study.ExitCode == 0, study.ToString());
        Assert.Contains("## Init study", study.Stdout, StringComparison.Ordinal);
        Assert.Contains("Batch shape [100, 1, 14, 14]", study.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(ws.PathOf("study"), "*.png").Length);

        var schedules = ws.Run("schedules", "--plot", "--out", ws.PathOf("sched"));
        Assert.True(schedules.ExitCode == 0, schedules.ToString());
        Assert.Equal(["one-cycle-lr.png", "one-cycle-mom.png", "schedules.png"],
            Directory.GetFiles(ws.PathOf("sched"), "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("root-help.txt", new[] { "--help" })]
    [InlineData("train-help.txt", new[] { "train", "--help" })]
    [InlineData("show-batch-help.txt", new[] { "show-batch", "--help" })]
    public void Help_matches_the_checked_in_text(string expectedFile, string[] args)
    {
        using var ws = new CliWorkspace();
        var help = ws.Run(args);
        Assert.Equal(0, help.ExitCode);
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cli", "Expected", expectedFile));
        // Help wraps to the terminal width; comparing with all whitespace runs collapsed makes the check width-independent.
        Assert.Equal(Normalise(expected), Normalise(help.Stdout));
        if (args[0] == "train") Assert.Contains("--bs <N> Training batch size (validation uses twice this), 1 to 65536 [default: 64; 128 with --model cnn]", Normalise(help.Stdout), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_option_fails_and_suggests_the_closest_valid_one()
    {
        using var ws = new CliWorkspace();
        var result = ws.Run("train", "--epoch", "2");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Unrecognized command or argument '--epoch'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Did you mean", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--epochs", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Options:", result.Stdout + result.Stderr, StringComparison.Ordinal); // no help dump
    }

    private static string Normalise(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
