using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Losses;
using Trainwright.Learning;
using Trainwright.Tests.Support;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Tests.Callbacks;

public sealed class CsvLoggerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("trainwright-csv-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Tensor Accuracy(Tensor pred, Tensor y) => pred.argmax(1).eq(y).to(ScalarType.Float32).mean();

    private static string[][] Rows(string path) =>
        [.. File.ReadAllLines(path).Skip(1).Select(l => l.Split(','))];

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void WritesAHeaderAndOneRowPerEpochWithAvgStatsNumbersInTheInvariantCulture()
    {
        var path = Path.Combine(dir, "sub", "log.csv");
        var stats = new AvgStats(new Metric("accuracy", Accuracy));
        var learner = Tiny.Learner(callbacks: [stats, new CsvLogger(path)], lr: 0.05);
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // decimal comma: must not leak into the file
            learner.Fit(3);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,train_loss,valid_loss,train_accuracy,valid_accuracy,lr,seconds", lines[0]);
        var rows = Rows(path);
        Assert.Equal(3, rows.Length);
        for (int e = 0; e < 3; e++)
        {
            var train = stats.History.Single(h => h.Epoch == e && h.Training);
            var valid = stats.History.Single(h => h.Epoch == e && !h.Training);
            var row = rows[e];
            Assert.Equal(7, row.Length);
            Assert.Equal(e + 1, int.Parse(row[0], CultureInfo.InvariantCulture));
            Assert.Equal(train.Loss, D(row[1])); // round-trip format: exactly the same double
            Assert.Equal(valid.Loss, D(row[2]));
            Assert.Equal(train.Metrics["accuracy"], D(row[3]));
            Assert.Equal(valid.Metrics["accuracy"], D(row[4]));
            Assert.Equal(0.05, D(row[5]));
            Assert.InRange(D(row[6]), 0, 60);
        }
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left behind
    }

    [Fact]
    public void AppendKeepsEarlierRowsWritesTheHeaderOnceAndReplacesEpochsThatRunAgain()
    {
        var path = Path.Combine(dir, "log.csv");
        var ckpt = Path.Combine(dir, "after2.ckpt");
        var first = Tiny.Learner(callbacks: [new AvgStats(new Metric("accuracy", Accuracy)), new CsvLogger(path), new SaveAfter(2, ckpt)]);
        first.Fit(3);
        var firstRows = File.ReadAllLines(path);
        Assert.Equal(4, firstRows.Length);

        // Resume from the end of epoch 2: epoch 3 runs again and its row is replaced, not repeated.
        var stats = new AvgStats(new Metric("accuracy", Accuracy));
        var second = Tiny.Learner(callbacks: [stats, new CsvLogger(path, append: true)]);
        second.Fit(3, [new ResumeFrom(ckpt)]);

        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        Assert.Equal(firstRows[..3], lines[..3]); // header and epochs 1, 2 untouched
        var row3 = lines[3].Split(',');
        Assert.Equal("3", row3[0]);
        Assert.Equal(stats.Train!.Loss, D(row3[1]));
        Assert.Equal(stats.Valid!.Metrics["accuracy"], D(row3[4]));
        Assert.Single(stats.History, h => h.Training); // only epoch 3 ran in the second fit
    }

    private sealed class SaveAfter(int epochs, string path) : Callback
    {
        public override int Order => CallbackOrder.SaveModel;
        public override void AfterEpoch()
        {
            if (Learner.Epoch + 1 == epochs) Checkpoint.Save(path, Learner, LoopPosition.AfterEpoch(Learner));
        }
    }

    [Fact]
    public void WithoutAppendTheFileStartsAfresh()
    {
        var path = Path.Combine(dir, "log.csv");
        File.WriteAllText(path, "old,stuff\n1,2\n");
        Tiny.Learner(callbacks: [new AvgStats(), new CsvLogger(path)]).Fit(1);
        var lines = File.ReadAllLines(path);
        Assert.Equal(["epoch,train_loss,valid_loss,lr,seconds"], lines[..1]);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public void AppendingToAFileWithOtherColumnsIsRefused()
    {
        var path = Path.Combine(dir, "log.csv");
        File.WriteAllText(path, "epoch,train_loss\n1,0.5\n");
        var e = Assert.Throws<CallbackException>(() => Tiny.Learner(callbacks: [new AvgStats(), new CsvLogger(path, append: true)]).Fit(1));
        var inner = Assert.IsType<InvalidDataException>(e.InnerException);
        Assert.Contains(path, inner.Message, StringComparison.Ordinal);
        Assert.Equal("epoch,train_loss\n1,0.5\n", File.ReadAllText(path));
    }

    [Fact]
    public void WithoutAvgStatsItSaysWhatToAdd()
    {
        var e = Assert.Throws<CallbackException>(() => Tiny.Learner(callbacks: [new CsvLogger(Path.Combine(dir, "x.csv"))]).Fit(1));
        var inner = Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("AvgStats", inner.Message, StringComparison.Ordinal);
    }
}
