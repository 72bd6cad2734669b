using Spectre.Console;
using Recorder = Trainwright.Callbacks.Recorder;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Metrics;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Learning;

/// <summary>Issue 16, items 6–10: the fit's result, degenerate data, errors that name the culprit, seeds, small API choices.</summary>
public class FirstContactBehaviourTests
{
    private static string[] Lines(StringWriter w) => w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    private sealed class EpochCounter(Action next) : Callback
    {
        public override int Order => 100;
        public override void AfterEpoch() => next();
    }

    // ---- 6. Fit returns what happened ----

    [Fact]
    public void FitReturnsEpochsRunWhyItStoppedTheBestEpochAndTheHistory()
    {
        double[] scores = [0.5, 0.6, 0.6, 0.55, 0.9, 0.9];
        int epoch = 0;
        var stats = new AvgStats(new Metric("score", (p, y) => tensor((float)scores[epoch])));
        var writer = new StringWriter();
        var learner = Tiny.Learner(callbacks: [stats, new ProgressDisplay(writer), new EarlyStopping("valid_score", patience: 2), new EpochCounter(() => epoch++)]);
        var result = learner.Fit(6);
        Assert.Equal(6, result.Epochs);
        Assert.Equal(4, result.EpochsRun);
        Assert.True(result.StoppedEarly);
        Assert.Equal(4, result.StoppedInEpoch);
        Assert.Contains("valid_score has not improved on 0.6", result.StopReason, StringComparison.Ordinal);
        Assert.Equal("valid_score", result.Monitor);
        Assert.Equal(0.6, result.Best!.Value, 6);
        Assert.Equal(2, result.BestEpoch);
        Assert.Equal([1, 2, 3, 4], result.History.Select(h => h.Epoch));
        var valid = stats.History.Where(h => !h.Training).ToArray();
        Assert.Equal(valid.Select(v => (double?)v.Loss), result.History.Select(h => h.ValidLoss));
        Assert.Equal(stats.History.Where(h => h.Training).Select(v => (double?)v.Loss), result.History.Select(h => h.TrainLoss));
        Assert.Equal(scores[..4], result.History.Select(h => Math.Round(h.Metrics["score"], 6)));
        // The display says why, not just that the fit was cancelled.
        Assert.Equal($"fit cancelled in epoch 4/6: {result.StopReason}", Lines(writer)[^1]);
    }

    [Fact]
    public void AFitThatRunsToTheEndSaysSoAndFitOneCycleReturnsTheResultToo()
    {
        var learner = Tiny.Learner(callbacks: [new AvgStats()]);
        var result = learner.Fit(2);
        Assert.False(result.StoppedEarly);
        Assert.Null(result.StopReason);
        Assert.Equal(2, result.EpochsRun);
        Assert.Null(result.Monitor);
        Assert.Equal(2, result.History.Count);
        var cycle = learner.FitOneCycle(3, maxLr: 0.1);
        Assert.Equal(3, cycle.EpochsRun);
        Assert.Equal(3, cycle.History.Count);
    }

    // ---- 7. Degenerate data ----

    [Fact]
    public void AnEmptyTrainingSetIsRefusedBeforeAnyBatchAndSoIsLrFind()
    {
        using var xt = zeros(0, 6);
        using var yt = zeros(0, dtype: ScalarType.Int64);
        using var xv = randn(10, 6);
        using var yv = randint(0, 3, 10);
        var data = DataBunch.FromDatasets(new TensorPairDataset(xt, yt), new TensorPairDataset(xv, yv), batchSize: 8, c: 3, seed: 1);
        var spy = new SpyCallback();
        var learner = Tiny.Learner(data, [new AvgStats(), spy]);
        var e = Assert.Throws<InvalidOperationException>(() => learner.Fit(1));
        Assert.Contains("no batch (0 items)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BeforeEpoch", spy.Seen);
        Assert.Contains("AfterFit", spy.Seen); // cleanup still ran
        var f = Assert.Throws<InvalidOperationException>(() => learner.LrFind());
        Assert.Contains("no batch", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DropLastWithABatchLargerThanTheDataIsRefusedNamingDropLast()
    {
        using var xt = randn(40, 6);
        using var yt = randint(0, 3, 40);
        using var xv = randn(10, 6);
        using var yv = randint(0, 3, 10);
        var train = new DataLoader<(Tensor X, Tensor Y)>(new TensorPairDataset(xt, yt), 64, shuffle: true, seed: 1, dropLast: true);
        var valid = new DataLoader<(Tensor X, Tensor Y)>(new TensorPairDataset(xv, yv), 64);
        var e = Assert.Throws<InvalidOperationException>(() => Tiny.Learner(new DataBunch(train, valid, 3)).Fit(1));
        Assert.Contains("batch size (64) is larger than the training set", e.Message, StringComparison.Ordinal);
        Assert.Contains("dropLast", e.Message, StringComparison.Ordinal);
    }

    // ---- 8. Errors that name the culprit ----

    [Fact]
    public void AMetricThatReturnsAVectorIsNamed()
    {
        var perItem = new Metric("per_item", (p, y) => p.argmax(1).eq(y).to(ScalarType.Float32));
        var e = Assert.Throws<CallbackException>(() => Tiny.Learner(callbacks: [new AvgStats(perItem)]).Fit(1));
        Assert.Contains("Metric 'per_item' returned a tensor of shape [8]", e.Message, StringComparison.Ordinal);
        Assert.Contains("must return a scalar", e.Message, StringComparison.Ordinal);
        Assert.Contains("epoch 1, training batch 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float64InputsAndWidthMismatchesNameTheBatchAndWhatTheModelExpects()
    {
        using var x64 = randn(16, 6, dtype: ScalarType.Float64);
        using var y = randint(0, 3, 16);
        var data = new DataBunch(new InMemoryLoader(x64, y, 8), new InMemoryLoader(x64, y, 8), 3);
        var e = Assert.Throws<BatchFailedException>(() => Tiny.Learner(data).Fit(1));
        Assert.StartsWith("The model's forward pass failed in epoch 1, training batch 1 on Xb Float64 [8, 6]; the model's first layer '0' (Linear) expects 6 input features of type Float32: ",
            e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException); // libtorch's own text, kept
        Assert.EndsWith(e.InnerException!.Message, e.Message, StringComparison.Ordinal);
        Assert.Equal((1, 1, true), (e.Epoch, e.Batch, e.Training));

        using var narrow = randn(16, 5);
        var wrongWidth = new DataBunch(new InMemoryLoader(narrow, y, 8), new InMemoryLoader(narrow, y, 8), 3);
        var w = Assert.Throws<BatchFailedException>(() => Tiny.Learner(wrongWidth).Fit(1));
        Assert.Contains("on Xb Float32 [8, 5]; the model's first layer '0' (Linear) expects 6 input features", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConvolutionalModelSaysHowManyChannelsItExpects()
    {
        using var x = randn(8, 3, 6, 6); // three channels into a model for one
        using var y = randint(0, 3, 8);
        var data = new DataBunch(new InMemoryLoader(x, y, 4), new InMemoryLoader(x, y, 4), 3);
        manual_seed(1);
        var cnn = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("flat", nn.Flatten()), ("head", nn.Linear(64, 3)));
        var e = Assert.Throws<BatchFailedException>(() => new Learner(cnn, data, (p, t) => nn.functional.cross_entropy(p, t), PlainSgd.Factory, 0.1).Fit(1));
        Assert.Contains("on Xb Float32 [4, 3, 6, 6]; the model's first layer 'conv' (Conv2d) expects 1 input channels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALossFailureNamesPredictionsAndTargets()
    {
        using var x = randn(16, 6);
        using var yFloat = rand(16);
        var data = new DataBunch(new InMemoryLoader(x, yFloat, 8), new InMemoryLoader(x, yFloat, 8), 3);
        var learner = new Learner(Tiny.Model(), data, (p, t) => nn.functional.nll_loss(p, t), PlainSgd.Factory, 0.1);
        var e = Assert.Throws<BatchFailedException>(() => learner.Fit(1));
        Assert.StartsWith("The loss function failed in epoch 1, training batch 1 on Pred Float32 [8, 3] and Yb Float32 [8]: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EarlyStoppingOnAValueNobodyComputesFailsAtBeforeFit()
    {
        var spy = new SpyCallback();
        var e = Assert.Throws<CallbackException>(() => Tiny.Learner(callbacks: [new AvgStats(), new EarlyStopping("valid_acc"), spy]).Fit(3));
        Assert.Equal(Event.BeforeFit, e.Event);
        Assert.DoesNotContain("BeforeBatch", spy.Seen);
        Assert.Contains("'valid_acc', which AvgStats does not compute", e.Message, StringComparison.Ordinal);
        Assert.Null(e.Epoch);
    }

    [Fact]
    public void ACallbackErrorSaysWhichEpochAndBatch()
    {
        var e = Assert.Throws<CallbackException>(() => Tiny.Learner(callbacks: [new FailsAtBatch(8)]).Fit(2));
        // 40 items in batches of 8: 5 training and 2 validation batches per epoch, so the 8th is epoch 2's first.
        Assert.Equal("Callback 'FailsAtBatch' failed during AfterBatch in epoch 2, training batch 1: boom", e.Message);
        Assert.Equal((2, 1), (e.Epoch, e.Batch));
    }

    private sealed class FailsAtBatch(int n) : Callback
    {
        private int seen;
        public override void AfterBatch()
        {
            if (++seen == n) throw new InvalidOperationException("boom");
        }
    }

    // ---- 9. Reproducible after torch.manual_seed ----

    [Fact]
    public void TwoFitsAfterTheSameManualSeedGiveIdenticalWeights()
    {
        float[] Run(long seed)
        {
            var g = new Generator(3);
            using var x = randn(new long[] { 64, 6 }, generator: g);
            using var y = randint(0, 3, new long[] { 64 }, generator: g);
            manual_seed(seed);
            var data = DataBunch.FromTensors(x, y, validPct: 0.25, batchSize: 8); // no seed: drawn from torch's generator
            var model = nn.Sequential(nn.Linear(6, 10), nn.ReLU(), nn.Linear(10, 3)); // initialised from torch's generator too
            new Learner(model, data, (p, t) => nn.functional.cross_entropy(p, t), PlainSgd.Factory, 0.1).Fit(2);
            return Weights.Flat(model);
        }
        var first = Run(0);
        Assert.Equal(first, Run(0));
        Assert.NotEqual(first, Run(1));
    }

    [Fact]
    public void AShuffledLoaderWithoutASeedTakesItsSeedFromTorch()
    {
        using var x = randn(20, 2);
        using var y = zeros(20, dtype: ScalarType.Int64);
        var ds = new TensorPairDataset(x, y);
        manual_seed(5);
        var a = new DataLoader<(Tensor X, Tensor Y)>(ds, 4, shuffle: true);
        manual_seed(5);
        var b = new DataLoader<(Tensor X, Tensor Y)>(ds, 4, shuffle: true);
        manual_seed(6);
        var c = new DataLoader<(Tensor X, Tensor Y)>(ds, 4, shuffle: true);
        Assert.Equal(a.Sampler.Seed, b.Sampler.Seed);
        Assert.Equal(a.EpochOrder(0), b.EpochOrder(0));
        Assert.NotEqual(a.Sampler.Seed, c.Sampler.Seed);
    }

    // ---- 10. Small API choices ----

    [Fact]
    public void ABareLearnerWarnsOnceThroughItsWarningEvent()
    {
        var learner = Tiny.Learner();
        var seen = new List<string>();
        learner.Warning += seen.Add;
        var first = learner.Fit(1);
        var second = learner.Fit(1);
        Assert.Contains("runs silently", Assert.Single(seen), StringComparison.Ordinal);
        Assert.Equal(seen, first.Warnings);
        Assert.Empty(second.Warnings);

        var quiet = Tiny.Learner(callbacks: [new AvgStats()]);
        quiet.Warning += seen.Add;
        Assert.Empty(quiet.Fit(1).Warnings);
        Assert.Single(seen);
    }

    [Fact]
    public void ASecondFitIsNumberedInTheDisplay()
    {
        var writer = new StringWriter();
        var learner = Tiny.Learner(callbacks: [new AvgStats(), new ProgressDisplay(writer)]);
        learner.Fit(1);
        learner.Fit(2);
        var lines = Lines(writer);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("epoch 1/1  train_loss", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("epoch 1/2 (fit 2)  train_loss", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("epoch 2/2 (fit 2)  train_loss", lines[2], StringComparison.Ordinal);
        Assert.Equal(2, learner.FitCount);
    }

    [Fact]
    public void StoppedAfterEpochCountsLikeTheDisplayAndTheCheckpoint()
    {
        double[] scores = [0.5, 0.4, 0.3];
        int epoch = 0;
        using var temp = new TempFolder();
        var writer = new StringWriter();
        var save = new SaveModel(temp.Path, monitor: null);
        var stop = new EarlyStopping("valid_score", patience: 1);
        Tiny.Learner(callbacks: [new AvgStats(new Metric("score", (p, y) => tensor((float)scores[epoch]))), stop, save,
            new ProgressDisplay(writer), new EpochCounter(() => epoch++)]).Fit(3);
        Assert.Equal(2, stop.StoppedAfterEpoch);
        Assert.Equal("2", Checkpoint.ReadInfo(save.LastPath).Metadata["epoch"]);
        Assert.StartsWith("epoch 2/3  ", Lines(writer)[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ASecondRecorderIsRefusedAndReAddingTheSameCallbackIsANoOp()
    {
        var recorder = new Recorder();
        var learner = Tiny.Learner(callbacks: [recorder]);
        var e = Assert.Throws<InvalidOperationException>(() => learner.Add(new Recorder()));
        Assert.Contains("already has a Recorder callback", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => learner.Fit(1, [new Recorder()]));
        Assert.Throws<InvalidOperationException>(() => learner.Add(new AvgStats()).Add(new AvgStats()));

        int count = learner.Callbacks.Count;
        learner.Add(recorder); // the same one again: nothing happens
        Assert.Equal(count, learner.Callbacks.Count);
        learner.Fit(1, [recorder]); // passing an attached callback to Fit leaves it attached
        Assert.Same(learner, recorder.Learner);
        Assert.Equal(5, recorder.Losses.Count);

        var other = Tiny.Learner();
        var moved = Assert.Throws<InvalidOperationException>(() => other.Add(recorder));
        Assert.Contains("attached to another learner", moved.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RedirectedProgressLinesDoNotWrapAt80Columns()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
            Ansi = AnsiSupport.No,
        });
        Assert.Equal(80, console.Profile.Width); // what Spectre assumes for output that is not a terminal
        var metrics = Enumerable.Range(0, 6).Select(i => new Metric($"a_rather_long_metric_name_{i}", (p, y) => p.mean())).ToArray();
        Tiny.Learner(callbacks: [new AvgStats(metrics), new ProgressDisplay(console)]).Fit(1);
        var line = Assert.Single(Lines(writer));
        Assert.True(line.Length > 200, line);
        Assert.Contains("a_rather_long_metric_name_5", line, StringComparison.Ordinal);
    }
}
