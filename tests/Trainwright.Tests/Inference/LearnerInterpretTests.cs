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
    public void LearnerExportsAModelFileAndOnnxThatGiveItsOutputs()
    {
        using var dir = new TempFolder();
        var learner = Tiny.Learner();
        learner.Fit(1);
        var registry = new ModelRegistry();
        registry.Register("tiny", _ => Tiny.Model());
        var description = new ModelDescription(ModelArchitecture.Custom("tiny"), InputDescription.ForTensor([6]), TargetDescription.Classes(["x", "y", "z"]));
        learner.Export(dir.File("tiny.trainwright"), description, registry: registry);
        learner.ExportOnnx(dir.File("tiny.onnx"), description);

        using var x = randn(7, 6);
        learner.Model.eval();
        using var expected = learner.Model.call(x);
        var want = expected.data<float>().ToArray();
        using var predictor = Predictor.Load(dir.File("tiny.trainwright"), registry);
        var outputs = predictor.Outputs(x);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(dir.File("tiny.onnx"));
        var input = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(x.data<float>().ToArray(), [7, 6]);
        using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("input", input)]);
        var onnx = results[0].AsEnumerable<float>().ToArray();
        for (int i = 0; i < 7; i++)
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(want[i * 3 + c], outputs[i][c], 1e-6f);
                Assert.Equal(want[i * 3 + c], onnx[i * 3 + c], 1e-5f);
            }
        Assert.Equal(["x", "y", "z"], predictor.Labels);
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
