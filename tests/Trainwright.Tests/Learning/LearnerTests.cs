using TorchSharp;
using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Learning;

public class LearnerTests
{
    /// <summary>The lesson's TestCallback: stop after 10 iterations.</summary>
    private sealed class StopAfter(int iterations) : Callback
    {
        public override void AfterStep()
        {
            if (Learner.TrainIter + 1 >= iterations) throw new CancelFitException();
        }
    }

    [Fact]
    public void TheLessonsTestCallbackStopsAfterTenIterations()
    {
        var learner = Tiny.Learner(Tiny.Data(trainItems: 64, batchSize: 4)); // 16 batches per epoch
        var spy = new SpyCallback();
        learner.Fit(3, [spy, new StopAfter(10)]);
        Assert.Equal(10, learner.TrainIter);
        Assert.Equal(10, spy.Seen.Count(e => e == "AfterStep"));
        Assert.Equal("AfterFit", spy.Seen[^1]);
    }

    [Fact]
    public void TrainingLowersTheLossAndCountsEpochFractions()
    {
        var learner = Tiny.Learner(Tiny.Data(trainItems: 40, batchSize: 8), [new Recorder()], lr: 0.2);
        learner.Fit(4);
        var losses = learner.Get<Recorder>().Losses;
        Assert.Equal(20, losses.Count);
        Assert.True(losses.Skip(15).Average() < losses.Take(5).Average(), "the loss should fall on a learnable problem");
        Assert.Equal(20, learner.TrainIter);
        Assert.Equal(4.0, learner.EpochFraction, 9);
    }

    [Fact]
    public void ValidationRunsInEvalModeWithoutGradients()
    {
        var modes = new List<(bool Training, bool Grad)>();
        var learner = Tiny.Learner(Tiny.Data(trainItems: 8, validItems: 8, batchSize: 8), [new Probe(modes)]);
        learner.Fit(1);
        Assert.Equal([(true, true), (false, false)], modes);
    }

    private sealed class Probe(List<(bool, bool)> modes) : Callback
    {
        public override void AfterPred() => modes.Add((Learner.Model.training, Learner.Pred!.requires_grad));
    }

    [Fact]
    public void GetFindsCallbacksByTypeAndExplainsWhenMissing()
    {
        var learner = Tiny.Learner(callbacks: [new Recorder()]);
        Assert.IsType<Recorder>(learner.Get<Recorder>());
        Assert.IsType<TrainEval>(learner.Get<TrainEval>());
        var e = Assert.Throws<InvalidOperationException>(() => learner.Get<AvgStats>());
        Assert.Contains("No AvgStats callback", e.Message);
        Assert.Contains("Recorder", e.Message);
    }

    [Fact]
    public void CallbackFactoriesMakeFreshCallbacksPerLearner()
    {
        Func<Callback>[] standard = [() => new Recorder(), () => new AvgStats()];
        var a = Tiny.Learner().Add(standard);
        var b = Tiny.Learner().Add(standard);
        Assert.NotSame(a.Get<Recorder>(), b.Get<Recorder>());
        Assert.Throws<InvalidOperationException>(() => b.Add(a.Get<Recorder>()));
    }

    [Fact]
    public void AStaleOptimizerIsRefusedWithAClearMessage()
    {
        var learner = Tiny.Learner();
        _ = learner.Opt;
        // Moving a module (to another device, or dtype and back) gives it new Parameter objects.
        learner.Model.to(ScalarType.Float64).to(ScalarType.Float32);
        Assert.True(learner.Opt.Parameters.First().IsInvalid, "TorchSharp disposes the parameters a move replaces");
        var e = Assert.Throws<InvalidOperationException>(() => learner.Fit(1));
        Assert.Contains("ResetOptimizer", e.Message);
        learner.ResetOptimizer();
        learner.Fit(1);
    }

    [Fact]
    public void BadArgumentsAreRefusedWithTheirName()
    {
        var learner = Tiny.Learner();
        Assert.Equal("epochs", Assert.Throws<ArgumentOutOfRangeException>(() => learner.Fit(0)).ParamName);
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => Tiny.Learner(lr: 0)).ParamName);
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => Tiny.Learner(lr: double.NaN)).ParamName);
    }
}
