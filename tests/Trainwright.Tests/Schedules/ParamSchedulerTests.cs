using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Optim;
using Trainwright.Schedules;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Schedules;

public class ParamSchedulerTests
{
    /// <summary>Two parameter groups: the first layer, and everything else.</summary>
    private static IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>> TwoGroups(nn.Module m)
    {
        var all = m.parameters().ToArray();
        return [all[..2], all[2..]];
    }

    private static Learner TwoGroupLearner(IEnumerable<Callback> callbacks) =>
        new(Tiny.Model(), Tiny.Data(trainItems: 40, batchSize: 8), (p, y) => nn.functional.cross_entropy(p, y),
            PlainSgd.Factory, 0.1, callbacks, TwoGroups);

    [Fact]
    public void EachGroupGetsItsScheduleAtEachBatchAndTheRecorderRecordsIt()
    {
        var recorder = new Recorder();
        var seen = new List<(double, double, double)>();
        var learner = TwoGroupLearner([
            new ParamScheduler(Hyper.Lr, [Sched.Lin(0, 1), Sched.Lin(1, 0)]),
            recorder,
            new Peek(seen),
        ]);
        learner.Fit(2); // 5 batches per epoch, 10 in all
        Assert.Equal(10, seen.Count);
        for (int i = 0; i < 10; i++)
        {
            var (pos, lr0, lr1) = seen[i];
            Assert.Equal(i / 10.0, pos, 9);
            Assert.Equal(pos, lr0, 9);
            Assert.Equal(1 - pos, lr1, 9);
            Assert.Equal(lr0, recorder.Lrs(0)[i], 12);
            Assert.Equal(lr1, recorder.Lrs(1)[i], 12);
        }
        Assert.Equal(10, recorder.Hyper(Hyper.Mom, 1).Count);
    }

    private sealed class Peek(List<(double, double, double)> seen) : Callback
    {
        public override void AfterStep() =>
            seen.Add((Learner.PctTrain, Learner.Opt.Groups[0][Hyper.Lr], Learner.Opt.Groups[1][Hyper.Lr]));
    }

    [Fact]
    public void OneCycleCyclesMomentumUnlessToldToLeaveIt()
    {
        IReadOnlyList<double> Moms(bool cycle)
        {
            var recorder = new Recorder();
            var learner = new Learner(Tiny.Model(), Tiny.Data(trainItems: 40, batchSize: 8), (p, y) => nn.functional.cross_entropy(p, y),
                Sgd.Factory(mom: 0.9), 0.1, [recorder]);
            learner.FitOneCycle(2, maxLr: 0.1, cycleMomentum: cycle);
            return recorder.Hyper(Hyper.Mom, 0);
        }
        var cycled = Moms(cycle: true);
        Assert.Equal(0.95, cycled[0], 9);
        Assert.True(cycled.Min() < 0.86, $"the cycled momentum should dip towards 0.85, lowest {cycled.Min()}");
        var held = Moms(cycle: false);
        Assert.Equal(10, held.Count);
        Assert.All(held, m => Assert.Equal(0.9, m, 12));
    }

    [Fact]
    public void UnknownHyperparameterOrWrongScheduleCountIsRefusedBeforeTraining()
    {
        var unknown = Assert.Throws<CallbackException>(() => TwoGroupLearner([new ParamScheduler("beta9", Sched.Const(1))]).Fit(1));
        Assert.Contains("no hyperparameter 'beta9'", unknown.Message);
        Assert.Contains("lr", unknown.Message);
        var count = Assert.Throws<CallbackException>(() =>
            TwoGroupLearner([new ParamScheduler(Hyper.Lr, [Sched.Const(1), Sched.Const(1), Sched.Const(1)])]).Fit(1));
        Assert.Contains("3 schedules", count.Message);
    }

    [Fact]
    public void RecorderPlotsArePngFiles()
    {
        var recorder = new Recorder();
        var learner = TwoGroupLearner([new ParamScheduler(Hyper.Lr, Sched.Cos(0.1, 0.01)), recorder]);
        learner.Fit(1);
        var dir = Directory.CreateTempSubdirectory("tw-rec-").FullName;
        recorder.PlotLr(Path.Combine(dir, "lr.png"));
        recorder.PlotLoss(Path.Combine(dir, "loss.png"));
        recorder.PlotHyper(Hyper.Mom, Path.Combine(dir, "mom.png"), group: 1);
        foreach (var f in new[] { "lr.png", "loss.png", "mom.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(dir, f));
            Assert.True(bytes.Length > 1000, f);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
        Assert.Throws<KeyNotFoundException>(() => recorder.PlotHyper("nope", Path.Combine(dir, "x.png")));
        Assert.Equal(["loss.png", "lr.png", "mom.png"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Directory.Delete(dir, true);
    }
}
