using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Metrics;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Schedules;

/// <summary>Issue 16, item 5: the finder runs after the usual callbacks are attached without them noticing.</summary>
public class LrFindStandsAloneTests
{
    [Fact]
    public void LrFindWithEveryUsualCallbackAttachedLeavesNoTrace()
    {
        using var temp = new TempFolder();
        var writer = new StringWriter();
        var csv = temp.File("metrics.csv");
        var stats = new AvgStats(new Metric("accuracy", (p, y) => p.argmax(1).eq(y).to(ScalarType.Float32).mean()));
        var recorder = new Recorder();
        var save = new SaveModel(temp.File("ckpt"));
        var early = new EarlyStopping("valid_loss", patience: 2);
        var learner = Tiny.Learner(Tiny.Data(trainItems: 80, batchSize: 8),
            [stats, recorder, save, new CsvLogger(csv), new ProgressDisplay(writer), early]);

        // Before any fit: EarlyStopping attached must not break the search (it used to claim valid_loss was unknown).
        var before = learner.LrFind(maxIter: 15);
        Assert.True(before.Lrs.Count >= 3);
        Assert.Equal("", writer.ToString());
        Assert.False(File.Exists(csv));
        Assert.False(File.Exists(save.LastPath));

        learner.Fit(1);
        var output = writer.ToString();
        var csvText = File.ReadAllText(csv);
        var checkpoint = File.ReadAllBytes(save.LastPath);
        var losses = recorder.Losses.ToArray();
        var history = stats.History.ToArray();
        var weights = Weights.Flat(learner.Model);

        var finder = learner.LrFind(maxIter: 25);
        Assert.True(finder.Lrs.Count >= 3);
        Assert.Equal(output, writer.ToString()); // no "validation cancelled" lines, no epoch rows
        Assert.Equal(csvText, File.ReadAllText(csv));
        Assert.Equal(checkpoint, File.ReadAllBytes(save.LastPath));
        Assert.Equal(losses, recorder.Losses);
        Assert.Equal(history, stats.History);
        Assert.Equal(weights, Weights.Flat(learner.Model));
        Assert.Equal(CallbackPhases.Fit, learner.Phase);
        Assert.Equal(1, learner.FitCount); // the finder's throw-away fit is not counted

        // And everything works as before afterwards.
        var result = learner.Fit(1);
        Assert.Equal(1, result.EpochsRun);
        Assert.Single(recorder.ValidLosses); // the Recorder and the CSV start afresh at each fit, as before
        Assert.Equal(10, recorder.Losses.Count);
        Assert.Equal(2, File.ReadAllLines(csv).Length);
    }
}
