using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Optim;
using Trainwright.Tests.Support;

namespace Trainwright.Tests.Learning;

public class LearningRateTests
{
    [Fact]
    public void LrIsTheOptimizersOnceBuiltAndSettingItSetsEveryGroup()
    {
        var learner = Tiny.Learner(lr: 0.1, optimizer: Sgd.Factory(), splitter: TwoGroups);
        Assert.False(learner.HasOptimizer);
        Assert.Equal(0.1, learner.Lr);
        learner.Lr = 0.05; // before the optimizer exists: it is built with this rate
        Assert.False(learner.HasOptimizer);
        Assert.Equal([0.05, 0.05], learner.Opt.Groups.Select(g => g[Hyper.Lr]));
        learner.Lr = 0.02;
        Assert.Equal([0.02, 0.02], learner.Opt.Groups.Select(g => g[Hyper.Lr]));
        learner.Opt.Groups[0][Hyper.Lr] = 0.3;
        Assert.Equal(0.3, learner.Lr);
        Assert.Throws<ArgumentOutOfRangeException>(() => learner.Lr = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => learner.Lr = double.NaN);
    }

    [Fact]
    public void LrIsOptionalAndDefaultsToFastaisRate()
    {
        var learner = new Learner(Tiny.Model(), Tiny.Data(), (p, y) => TorchSharp.torch.nn.functional.cross_entropy(p, y), Sgd.Factory());
        Assert.Equal(Learner.DefaultLr, learner.Opt.Groups[0][Hyper.Lr]);
    }

    [Fact]
    public void FitLrTrainsAtThatRateLikeALearnerBuiltWithIt()
    {
        var built = Tiny.Learner(lr: 0.2);
        built.Fit(1);
        var set = Tiny.Learner(lr: 0.01);
        set.Fit(1, lr: 0.2);
        Assert.Equal(Weights.Flat(built.Model), Weights.Flat(set.Model));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Fit(1, lr: -1));
    }

    [Fact]
    public void FitLrWinsOverTheRateARestoredCheckpointCarries()
    {
        using var dir = new TempFolder();
        {
            var save = new SaveModel(dir.Path);
            Tiny.Learner(lr: 0.3, optimizer: Sgd.Factory(), callbacks: [new AvgStats(), save]).Fit(1);
            var seen = new List<double>();
            var resumed = Tiny.Learner(lr: 0.3, optimizer: Sgd.Factory(), callbacks: [new LrSpy(seen)]);
            resumed.Fit(2, [new ResumeFrom(save.LastPath)], lr: 0.007);
            Assert.NotEmpty(seen);
            Assert.All(seen, lr => Assert.Equal(0.007, lr));
            Assert.Equal(0.007, resumed.Lr);
        }
    }

    private static IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>> TwoGroups(TorchSharp.torch.nn.Module m)
    {
        var ps = m.parameters().ToArray();
        return [ps[..2], ps[2..]];
    }

    private sealed class LrSpy(List<double> seen) : Callback
    {
        public override void AfterStep() => seen.Add(Learner.Opt.Groups[0][Hyper.Lr]);
    }
}
