using Trainwright.Callbacks;
using Trainwright.Distributed;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Tests.Support;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Tests.Distributed;

/// <summary>The callback's arithmetic against an imagined second process with known contributions (see <see cref="FakeCommunicator"/>).</summary>
public sealed class DistributedDataParallelTests
{
    [Fact]
    public void Gradients_BecomeTheMeanWithTheOtherProcess_ThroughOneFlatBuffer()
    {
        // The other process's gradient is this one's plus 3, so each element must become (g + g + 3) / 2 = g + 1.5.
        var comm = new FakeCommunicator(0) { OtherTensorValue = 3 };
        var before = new GradientSpy(CallbackOrder.Distributed - 1);
        var after = new GradientSpy(CallbackOrder.Distributed + 1);
        var learner = new Learner(Tiny.Model(), Tiny.Data(), LossFunctions.CrossEntropyLoss, PlainSgd.Factory, 0.1,
            [new DistributedDataParallel(comm, validationSharded: false), before, after]);

        learner.Fit(1);

        Assert.Equal(learner.ItersPerEpoch, comm.TensorAllReduces); // one all-reduce per step (all parameters are float32)
        Assert.Equal(before.Steps.Count, after.Steps.Count);
        for (int s = 0; s < before.Steps.Count; s++)
            for (int p = 0; p < before.Steps[s].Length; p++)
            {
                using var expected = before.Steps[s][p].add(1.5);
                Assert.True(expected.allclose(after.Steps[s][p], rtol: 1e-6, atol: 1e-7), $"step {s}, parameter {p}");
            }
    }

    [Fact]
    public void Stats_SumTrainingOverProcesses_AndValidationOnlyWhenSharded()
    {
        // The imagined other process saw the same items with the same results: counts double, means stay.
        var reference = FitStats(null);
        var wholeValidation = FitStats(new DistributedDataParallel(new FakeCommunicator(0), validationSharded: false));
        var shardedValidation = FitStats(new DistributedDataParallel(new FakeCommunicator(0), validationSharded: true));

        Assert.Equal(2 * reference.Train!.Count, wholeValidation.Train!.Count);
        Assert.Equal(reference.Valid!.Count, wholeValidation.Valid!.Count);
        Assert.Equal(2 * reference.Valid.Count, shardedValidation.Valid!.Count);
        Assert.Equal(reference.Train.Loss, wholeValidation.Train.Loss, 1e-12);
        Assert.Equal(reference.Valid.Loss, shardedValidation.Valid.Loss, 1e-12);
        Assert.Equal(reference.Valid.Metrics["accuracy"], shardedValidation.Valid.Metrics["accuracy"], 1e-12);
    }

    [Fact]
    public void BeforeFit_CopiesRankZerosWeights_BeforeAnyStep()
    {
        var comm = new FakeCommunicator(1) { BroadcastValue = 0.25 };
        var spy = new WeightSpy();
        var learner = new Learner(Tiny.Model(), Tiny.Data(), LossFunctions.CrossEntropyLoss, PlainSgd.Factory, 0.1,
            [new DistributedDataParallel(comm, validationSharded: false), spy]);

        learner.Fit(1);

        Assert.NotEmpty(spy.AtStart);
        Assert.All(spy.AtStart, w => Assert.All(w, v => Assert.Equal(0.25f, v)));
    }

    [Fact]
    public void BeforeValidation_EveryProcessTakesRankZerosBatchNormStatistics()
    {
        // Training moves the running statistics away from their start (mean 0, var 1); what validation sees on rank 1
        // must be rank 0's (the fake broadcast fills 0.25), while the trained weights stay this process's own.
        var comm = new FakeCommunicator(1) { BroadcastValue = 0.25 };
        var spy = new BufferSpy();
        manual_seed(3);
        var model = nn.Sequential(("fc", nn.Linear(6, 8)), ("bn", nn.BatchNorm1d(8)), ("out", nn.Linear(8, 3)));
        var learner = new Learner(model, Tiny.Data(), LossFunctions.CrossEntropyLoss, PlainSgd.Factory, 0.1,
            [new DistributedDataParallel(comm, validationSharded: true), spy]);

        learner.Fit(2);

        Assert.Equal(2, spy.AtValidation.Count);
        foreach (var buffers in spy.AtValidation)
        {
            Assert.Equal(8, buffers["bn.running_mean"].Length);
            Assert.All(buffers["bn.running_mean"], v => Assert.Equal(0.25, v));
            Assert.All(buffers["bn.running_var"], v => Assert.Equal(0.25, v));
        }
        // Between validations the second epoch's training moved them again: the broadcast is per validation, not once.
        Assert.All(spy.AfterSecondTraining, v => Assert.NotEqual(0.25, v));
    }

    [Fact]
    public void ProcessesThatDisagree_StopWithAnErrorInsteadOfWaiting()
    {
        var comm = new FakeCommunicator(0) { OtherLongExcess = 1 };
        var learner = new Learner(Tiny.Model(), Tiny.Data(), LossFunctions.CrossEntropyLoss, PlainSgd.Factory, 0.1,
            [new DistributedDataParallel(comm, validationSharded: false)]);

        var e = Assert.Throws<CallbackException>(() => learner.Fit(1));

        Assert.Contains("disagree on the training batches per epoch", e.InnerException!.Message, StringComparison.Ordinal);
    }

    private static AvgStats FitStats(DistributedDataParallel? ddp)
    {
        var stats = new AvgStats(ClassificationMetrics.Accuracy);
        var callbacks = new List<Callback> { stats };
        if (ddp is not null) callbacks.Add(ddp);
        var learner = new Learner(Tiny.Model(), Tiny.Data(), LossFunctions.CrossEntropyLoss, PlainSgd.Factory, 0.1, callbacks);
        learner.Fit(1);
        Assert.Null(stats.CombineTotals); // unhooked after the fit
        return stats;
    }

    private sealed class GradientSpy(int order) : Callback
    {
        public List<Tensor[]> Steps { get; } = [];
        public override int Order => order;
        public override void AfterBackward()
        {
            var copies = Learner.Model.parameters().Select(p => p.grad!.detach().clone()).ToArray();
            foreach (var c in copies) c.DetachFromDisposeScope();
            Steps.Add(copies);
        }
    }

    private sealed class BufferSpy : Callback
    {
        public List<Dictionary<string, double[]>> AtValidation { get; } = [];
        public double[] AfterSecondTraining { get; private set; } = [];
        public override int Order => CallbackOrder.Distributed + 1;
        public override void BeforeValidate()
        {
            AtValidation.Add(Learner.Model.named_buffers().Where(b => b.name.StartsWith("bn.running_", StringComparison.Ordinal))
                .ToDictionary(b => b.name, b => Values(b.buffer)));
        }
        public override void AfterTrain()
        {
            if (Learner.Epoch == 1) AfterSecondTraining = Values(Learner.Model.named_buffers().Single(b => b.name == "bn.running_mean").buffer);
        }
        private static double[] Values(Tensor t)
        {
            using var d = t.to(ScalarType.Float64);
            return d.data<double>().ToArray();
        }
    }

    private sealed class WeightSpy : Callback
    {
        public List<float[]> AtStart { get; } = [];
        public override int Order => CallbackOrder.Distributed + 1;
        public override void BeforeFit() =>
            AtStart.AddRange(Learner.Model.parameters().Select(p => p.detach().data<float>().ToArray()));
    }
}
