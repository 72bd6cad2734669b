using System.Globalization;
using Spectre.Console;
using Trainwright.Callbacks;
using Trainwright.Losses;
using Trainwright.Learning;
using Trainwright.Tests.Learning;
using Trainwright.Tests.Support;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Tests.Callbacks;

public class ProgressDisplayTests
{
    private static Tensor Accuracy(Tensor pred, Tensor y) => pred.argmax(1).eq(y).to(ScalarType.Float32).mean();

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string[] Lines(StringWriter w) => w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public void PlainModePrintsOneLinePerEpochWithTheAvgStatsNumbers()
    {
        var writer = new StringWriter();
        var stats = new AvgStats(new Metric("accuracy", Accuracy));
        var progress = new ProgressDisplay(writer);
        Assert.True(progress.Plain);
        Assert.Equal("Progress", progress.Name);
        Tiny.Learner(callbacks: [stats, progress]).Fit(2);

        var lines = Lines(writer);
        Assert.Equal(2, lines.Length);
        for (int e = 0; e < 2; e++)
        {
            var train = stats.History.Single(h => h.Epoch == e && h.Training);
            var valid = stats.History.Single(h => h.Epoch == e && !h.Training);
            var expected = $"epoch {e + 1}/2  train_loss {F(train.Loss)}  valid_loss {F(valid.Loss)}  accuracy {F(valid.Metrics["accuracy"])}  ";
            Assert.StartsWith(expected, lines[e], StringComparison.Ordinal);
            Assert.Matches(@"  \d+\.\ds$", lines[e]);
        }
    }

    [Fact]
    public void AConsoleThatIsNotInteractiveGetsPlainLinesToo()
    {
        var writer = new StringWriter();
        var progress = new ProgressDisplay(ProgressDisplay.PlainConsole(writer), plain: false);
        Assert.True(progress.Plain);
        Tiny.Learner(callbacks: [progress]).Fit(1); // no AvgStats: epoch and time only
        Assert.Matches(@"^epoch 1/1  \d+\.\ds$", Assert.Single(Lines(writer)));
    }

    [Fact]
    public void CancellationsGetALine()
    {
        var writer = new StringWriter();
        var cancelTrain = new SpyCallback { ThrowAt = Event.BeforeTrain, Throw = () => new CancelTrainException(), ThrowTimes = 1 };
        var learner = Tiny.Learner(callbacks: [new AvgStats(), new ProgressDisplay(writer), cancelTrain]);
        learner.Fit(2);
        var lines = Lines(writer);
        Assert.Equal("epoch 1/2: training cancelled", lines[0]);
        Assert.StartsWith("epoch 1/2  train_loss -  valid_loss ", lines[1], StringComparison.Ordinal); // no training pass to show
        Assert.Matches(@"^epoch 2/2  train_loss \d+\.\d{4}  ", lines[2]);

        writer.GetStringBuilder().Clear();
        var stop = new SpyCallback { ThrowAt = Event.AfterEpoch, Throw = () => new CancelFitException() };
        Tiny.Learner(callbacks: [new ProgressDisplay(writer), stop]).Fit(3);
        Assert.Equal("fit cancelled in epoch 1/3", Lines(writer)[^1]);
    }

    [Fact]
    public void LiveModeDrawsBarsAndATableRowPerEpoch()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        var stats = new AvgStats(new Metric("accuracy", Accuracy));
        var progress = new ProgressDisplay(console);
        Assert.False(progress.Plain);
        Tiny.Learner(callbacks: [stats, progress]).Fit(2);

        var text = writer.ToString();
        Assert.Contains("train_loss", text, StringComparison.Ordinal);
        Assert.Contains("accuracy", text, StringComparison.Ordinal);
        foreach (var h in stats.History.Where(h => !h.Training))
        {
            Assert.Contains(F(h.Loss), text, StringComparison.Ordinal);
            Assert.Contains(F(h.Metrics["accuracy"]), text, StringComparison.Ordinal);
        }
        Assert.Contains("2/2", text, StringComparison.Ordinal);
        Assert.Contains("epoch", text, StringComparison.Ordinal);
    }
}
