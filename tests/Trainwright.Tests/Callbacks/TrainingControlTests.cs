using Trainwright.Callbacks;
using Trainwright.Losses;
using Trainwright.Learning;
using Trainwright.Optim;
using Trainwright.Tests.Learning;
using Trainwright.Tests.Support;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Tests.Callbacks;

public class TrainingControlTests
{
    private sealed class StopAt(int trainIter) : Callback
    {
        public override void AfterBatch()
        {
            if (Learner.Training && Learner.TrainIter >= trainIter) throw new CancelFitException("test stop");
        }
        public override int Order => 100; // after TrainEval counted the batch and SaveModel noted it
    }


    [Fact]
    public void EarlyStoppingStopsAfterPatienceEpochsWithoutImprovement()
    {
        double[] scores = [0.5, 0.6, 0.6, 0.55, 0.9, 0.9];
        int epoch = 0;
        var stats = new AvgStats(new Metric("score", (p, y) => tensor((float)scores[epoch])));
        var stopper = new EarlyStopping("valid_score", patience: 2);
        var spy = new SpyCallback();
        var learner = Tiny.Learner(callbacks: [stats, stopper, spy, new EpochCounter(() => epoch++)]);
        learner.Fit(6);
        Assert.Equal(4, stopper.StoppedAfterEpoch); // improved in epochs 1 and 2; not in 3 or 4: stop after epoch 4 (1-based)
        Assert.Equal(0.6, stopper.Best!.Value, 6);
        Assert.Equal(4, spy.Seen.Count(e => e == "AfterEpoch"));
        Assert.Contains("AfterCancelFit", spy.Seen);
    }

    private sealed class EpochCounter(Action next) : Callback
    {
        public override int Order => 100;
        public override void AfterEpoch() => next();
    }

    [Fact]
    public void TheEpochEarlyStoppingStopsAfterIsStillSavedAndLogged()
    {
        double[] scores = [0.5, 0.4, 0.3, 0.2];
        int epoch = 0;
        using var temp = new TempFolder();
        var dir = temp.Path;
        var csv = Path.Combine(dir, "metrics.csv");
        var save = new SaveModel(dir, monitor: null);
        var learner = Tiny.Learner(callbacks: [
            new AvgStats(new Metric("score", (p, y) => tensor((float)scores[epoch]))),
            new EarlyStopping("valid_score", patience: 1), save, new CsvLogger(csv), new EpochCounter(() => epoch++)]);
        learner.Fit(4);
        Assert.Equal(2, learner.Get<EarlyStopping>().StoppedAfterEpoch);
        Assert.Equal(3, File.ReadAllLines(csv).Length); // header + epochs 1 and 2
        Assert.Equal("2", Checkpoint.ReadInfo(save.LastPath).Metadata["epoch"]);
    }

    [Fact]
    public void EarlyStoppingExplainsAnUnknownMonitor()
    {
        var e = Assert.Throws<CallbackException>(() => Tiny.Learner(callbacks: [new AvgStats(), new EarlyStopping("valid_acc")]).Fit(1));
        Assert.Contains("valid_acc", e.Message);
        Assert.Contains("valid_loss", e.Message);
    }

    [Fact]
    public void FourEpochsStraightEqualTwoThenResumeTwo()
    {
        var straight = Tiny.Learner();
        straight.Fit(4);

        using var temp = new TempFolder();
        var dir = temp.Path;
        var first = Tiny.Learner(callbacks: [new AvgStats(), new SaveModel(dir)]);
        first.Fit(2);
        var resumed = Tiny.Learner(callbacks: [new AvgStats(), new SaveModel(dir)]);
        var spy = new SpyCallback();
        resumed.Fit(4, [spy, new ResumeFrom(Path.Combine(dir, SaveModel.LastFileName))]);

        Assert.Equal(Weights.Flat(straight.Model), Weights.Flat(resumed.Model));
        Assert.Equal(2, spy.Seen.Count(e => e == "BeforeEpoch"));
        Assert.Equal(straight.TrainIter, resumed.TrainIter);
    }

    [Fact]
    public void AStopMidEpochResumesFromTheBatchReachedWithTheSameShuffledOrder()
    {
        var straight = Tiny.Learner(Tiny.ShuffledData());
        straight.Fit(3); // 5 batches per epoch

        using var temp = new TempFolder();
        var dir = temp.Path;
        var save = new SaveModel(dir);
        var first = Tiny.Learner(Tiny.ShuffledData(), [new AvgStats(), save]);
        first.Fit(3, [new StopAt(7)]);
        var info = Checkpoint.Load(save.LastPath, Tiny.Learner());
        Assert.Equal(new LoopPosition(1, 2, 7, 1.4), info.Position with { EpochFraction = Math.Round(info.Position.EpochFraction, 9) });

        var resumed = Tiny.Learner(Tiny.ShuffledData());
        resumed.Fit(3, [new ResumeFrom(save.LastPath)]);
        Assert.Equal(Weights.Flat(straight.Model), Weights.Flat(resumed.Model));
        Assert.Equal(15, resumed.TrainIter);
    }

    [Fact]
    public void OnlyTheFirstTrainingPassAfterAResumeSkipsBatches()
    {
        using var temp = new TempFolder();
        var dir = temp.Path;
        var save = new SaveModel(dir);
        Tiny.Learner(callbacks: [new AvgStats(), save]).Fit(3, [new StopAt(7)]); // stops at epoch 2, batch 2 of 5
        var spy = new SpyCallback { ThrowAt = Event.AfterStep, Throw = () => new CancelTrainException(), ThrowTimes = 1 };
        var resumed = Tiny.Learner(callbacks: [spy]);
        resumed.Fit(3, [new ResumeFrom(save.LastPath)]);
        // Epoch 2 resumes at batch 3 and is cut after one step; epoch 3 must then run all 5 batches.
        Assert.Equal(1 + 5, spy.Seen.Count(e => e == "AfterStep"));
    }

    [Fact]
    public void ACheckpointOfAnotherModelIsRefusedClearly()
    {
        using var temp = new TempFolder();
        var dir = temp.Path;
        var save = new SaveModel(dir, monitor: null);
        Tiny.Learner(callbacks: [save]).Fit(1);
        var other = new Learner(nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 3)), Tiny.Data(),
            (p, y) => nn.functional.cross_entropy(p, y), PlainSgd.Factory, 0.1);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(save.LastPath, other));
        Assert.Contains("different model", e.Message);
        File.WriteAllText(Path.Combine(dir, "junk"), "hello");
        Assert.Contains("not a Trainwright checkpoint", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(Path.Combine(dir, "junk"), other)).Message);
        var bytes = File.ReadAllBytes(save.LastPath);
        File.WriteAllBytes(Path.Combine(dir, "cut"), bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(Path.Combine(dir, "cut"), Tiny.Learner())).Message);
    }

    [Fact]
    public void SaveModelKeepsTheBestEpochByTheMonitor()
    {
        double[] scores = [0.5, 0.8, 0.7];
        int epoch = 0;
        using var temp = new TempFolder();
        var dir = temp.Path;
        var save = new SaveModel(dir, monitor: "valid_score");
        var learner = Tiny.Learner(callbacks: [new AvgStats(new Metric("score", (p, y) => tensor((float)scores[epoch]))), save, new EpochCounter(() => epoch++)]);
        learner.Fit(3);
        var best = Checkpoint.Load(save.BestPath, Tiny.Learner());
        var last = Checkpoint.Load(save.LastPath, Tiny.Learner());
        Assert.Equal("2", best.Metadata["epoch"]);
        Assert.Equal("3", last.Metadata["epoch"]);
        Assert.Equal(0.8, double.Parse(best.Metadata["valid_score"], System.Globalization.CultureInfo.InvariantCulture), 6);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void AResumedFitMustBeatTheBestOfTheRunItContinues()
    {
        double[] scores = [0.9, 0.5, 0.6, 0.7];
        int epoch = 0;
        using var temp = new TempFolder();
        var dir = temp.Path;
        AvgStats Stats() => new(new Metric("score", (p, y) => tensor((float)scores[epoch])));
        var first = Tiny.Learner(callbacks: [Stats(), new SaveModel(dir, monitor: "valid_score"), new EpochCounter(() => epoch++)]);
        first.Fit(4, [new StopAtEpochEnd(1)]); // epochs 1 (0.9) and 2 (0.5): best is epoch 1
        Assert.Equal("1", Checkpoint.ReadInfo(Path.Combine(dir, SaveModel.BestFileName)).Metadata["epoch"]);

        var save = new SaveModel(dir, monitor: "valid_score");
        var resumed = Tiny.Learner(callbacks: [Stats(), save, new EpochCounter(() => epoch++)]);
        resumed.Fit(4, [new ResumeFrom(Path.Combine(dir, SaveModel.LastFileName))]); // epochs 3 (0.6) and 4 (0.7)
        Assert.Equal("1", Checkpoint.ReadInfo(save.BestPath).Metadata["epoch"]); // neither beats the first run's 0.9
        Assert.Equal(0.9, save.Best!.Value, 6);
    }

    private sealed class StopAtEpochEnd(int epoch) : Callback
    {
        public override int Order => 100;
        public override void AfterEpoch()
        {
            if (Learner.Epoch == epoch) throw new CancelFitException("test stop");
        }
    }

    private sealed class PoisonAt(int epoch, int batch) : Callback
    {
        public override int Order => CallbackOrder.TerminateOnNaN - 1;
        public override void BeforeBatch()
        {
            if (Learner.Training && Learner.Epoch == epoch && Learner.Iter == batch)
                Learner.Xb = Learner.Xb * float.NaN;
        }
    }

    [Fact]
    public void ANaNLossStopsTheFitNamingTheBatchAndKeepsTheLastGoodCheckpoint()
    {
        using var temp = new TempFolder();
        var dir = temp.Path;
        var save = new SaveModel(dir, monitor: null);
        var nan = new TerminateOnNaN();
        var learner = Tiny.Learner(callbacks: [nan, save, new PoisonAt(epoch: 1, batch: 2)]);
        learner.Fit(3);
        Assert.Equal("epoch 2, training batch 3", nan.StoppedAt);
        Assert.Equal(8, learner.TrainIter); // 5 in epoch 1, then 3 in epoch 2: the bad one counts, but was cancelled before backward
        Assert.NotNull(save.SkippedReason);
        var kept = Checkpoint.Load(save.LastPath, Tiny.Learner());
        Assert.Equal("1", kept.Metadata["epoch"]);
        Assert.All(Weights.Flat(learner.Model), w => Assert.True(float.IsFinite(w)));
    }

    [Fact]
    public void AccumulatingFourBatchesEqualsOneBatchFourTimesLarger()
    {
        var data16 = Tiny.Data(trainItems: 16, batchSize: 16);
        var big = Tiny.Learner(data16, lr: 0.5);
        big.Fit(1);
        var acc = new GradientAccumulation(4);
        var small = Tiny.Learner(Tiny.Data(trainItems: 16, batchSize: 4), [acc], lr: 0.5);
        small.Fit(1);
        Assert.Equal(1, acc.Steps);
        Assert.True(Weights.MaxAbsDiff(Weights.Flat(big.Model), Weights.Flat(small.Model)) < 1e-6);
        // And it did train: the weights moved from their initial values.
        Assert.True(Weights.MaxAbsDiff(Weights.Flat(Tiny.Model()), Weights.Flat(small.Model)) > 1e-3);
    }

    [Fact]
    public void GradientClippingBoundsTheGlobalNorm()
    {
        var clip = new GradientClipping(0.01);
        var norms = new List<double>();
        var learner = Tiny.Learner(callbacks: [clip, new NormProbe(norms)]);
        learner.Fit(1);
        Assert.True(clip.LastNorm > 0.01, "the unclipped norm should exceed the bound on this problem");
        Assert.All(norms, n => Assert.True(n <= 0.01 + 1e-6, $"norm {n}"));
    }

    private sealed class NormProbe(List<double> norms) : Callback
    {
        public override int Order => CallbackOrder.GradientClipping + 1;
        public override void AfterBackward()
        {
            using var _ = no_grad();
            var total = Learner.Opt.Parameters.Sum(p => Math.Pow(p.grad!.norm().item<float>(), 2));
            norms.Add(Math.Sqrt(total));
        }
    }

    [Fact]
    public void LrFindLeavesWeightsOptimizerAndRngAsTheyWere()
    {
        var stats = new AvgStats();
        var learner = Tiny.Learner(Tiny.Data(trainItems: 200, batchSize: 8), [stats], optimizer: Sgd.Factory(mom: 0.9, wd: 1e-4));
        learner.Fit(1);
        learner.Opt.Groups[0][Hyper.Lr] = 0.0123;
        var before = Weights.Flat(learner.Model);
        var stateBefore = learner.Opt.CaptureState();
        using var rngBefore = random.get_rng_state();
        var validBefore = stats.Valid;
        var historyBefore = stats.History.ToArray();
        var finder = learner.LrFind(maxIter: 30);
        // AvgStats does not take part in the search (issue 16): its figures are still those of the fit before, and the
        // finder invents no validation figures.
        Assert.Same(validBefore, stats.Valid);
        Assert.Equal(historyBefore, stats.History);
        Assert.InRange(finder.Lrs.Count, 3, 30);
        Assert.Equal(before, Weights.Flat(learner.Model));
        Assert.Equal(0.0123, learner.Opt.Groups[0][Hyper.Lr]);
        Assert.Equal(stateBefore, learner.Opt.CaptureState()); // momentum buffers bit-identical
        using var rngAfter = random.get_rng_state();
        Assert.Equal(rngBefore.data<byte>().ToArray(), rngAfter.data<byte>().ToArray());
        Assert.InRange(finder.SuggestedLr, finder.Lrs[0] / 10, finder.Lrs[^1] / 10);
        // Learning rates grow geometrically from the start value.
        Assert.Equal(1e-7, finder.Lrs[0], 12);
        Assert.Equal(finder.Lrs[2] / finder.Lrs[1], finder.Lrs[1] / finder.Lrs[0], 6);
    }
}
