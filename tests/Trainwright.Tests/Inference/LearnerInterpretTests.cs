using Trainwright.Callbacks;
using Trainwright.Inference;
using Trainwright.Tests.Data;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Inference;

public class LearnerInterpretTests
{
    [Fact]
    public void InterpretAgreesWithTorchSharpsCrossEntropyAndArgmax()
    {
        var learner = Tiny.Learner();
        learner.Fit(1);
        var report = learner.Interpret(["x", "y", "z"], topLosses: 100);
        // Independent reference: the whole validation set through the model and TorchSharp's own ops.
        learner.Model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var xs = new List<Tensor>();
        var ys = new List<Tensor>();
        foreach (var b in learner.Data.Valid) { xs.Add(b.Xb.clone()); ys.Add(b.Yb.clone()); }
        var x = cat(xs, 0);
        var y = cat(ys, 0);
        var logits = learner.Model.call(x);
        var losses = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.None).data<float>().ToArray();
        var predicted = logits.argmax(1);
        double accuracy = predicted.eq(y).to_type(ScalarType.Float64).mean().item<double>();
        Assert.Equal(20, report.Items);
        Assert.Equal(accuracy, report.Accuracy, 1e-12);
        Assert.Equal(losses.Average(l => (double)l), report.MeanLoss, 1e-5);
        foreach (var t in report.TopLosses) Assert.Equal(losses[t.Item], t.Loss, 1e-5);
        Assert.Equal(report.Items, report.PerClass.Sum(m => m.Support));
    }

    [Fact]
    public void RecorderPlacesValidationLossesOnTheBatchAxis()
    {
        var recorder = new Recorder();
        var learner = Tiny.Learner(callbacks: [recorder]);
        learner.Fit(2); // 5 training batches per epoch
        Assert.Equal([5.0, 10.0], recorder.ValidBatches);
        Assert.Equal(2, recorder.ValidLosses.Count);
        using var dir = new TempFolder();
        recorder.PlotLoss(dir.File("loss.png"));
        recorder.PlotLoss(dir.File("loss-skip.png"), skipLast: 3);
        Assert.True(new FileInfo(dir.File("loss.png")).Length > 1000);
        Assert.True(new FileInfo(dir.File("loss-skip.png")).Length > 1000);
    }
}
