using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Metrics;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Learning;

/// <summary>Issue 16, item 4: weights from a checkpoint, predictions and validation without training, restoring the best weights.</summary>
public class PredictionAndRestoreTests
{
    private static Tensor Accuracy(Tensor pred, Tensor y) => pred.argmax(1).eq(y).to(ScalarType.Float32).mean();

    private sealed record Problem(Tensor Xt, Tensor Yt, Tensor Xv, Tensor Yv, DataBunch Data) : IDisposable
    {
        public static Problem Make()
        {
            var g = new Generator(11);
            var xt = randn(new long[] { 40, 6 }, generator: g);
            var yt = randint(0, 3, new long[] { 40 }, generator: g);
            var xv = randn(new long[] { 20, 6 }, generator: g);
            var yv = randint(0, 3, new long[] { 20 }, generator: g);
            return new(xt, yt, xv, yv, DataBunch.FromDatasets(new TensorPairDataset(xt, yt), new TensorPairDataset(xv, yv), 8, c: 3, seed: 4));
        }

        public void Dispose()
        {
            Xt.Dispose(); Yt.Dispose(); Xv.Dispose(); Yv.Dispose();
        }
    }

    private static nn.Module<Tensor, Tensor> DropoutModel()
    {
        manual_seed(3);
        return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3));
    }

    [Fact]
    public void LoadWeightsPutsACheckpointsWeightsIntoABareModelAndRefusesAnotherArchitecture()
    {
        using var temp = new TempFolder();
        var save = new SaveModel(temp.Path, monitor: null);
        var learner = Tiny.Learner(callbacks: [save], optimizer: Trainwright.Optim.Sgd.Factory(mom: 0.9));
        learner.Fit(1);
        var trained = Weights.Flat(learner.Model);

        var fresh = Tiny.Model(seed: 99);
        Assert.NotEqual(trained, Weights.Flat(fresh));
        var info = Checkpoint.LoadWeights(save.LastPath, fresh);
        Assert.Equal(trained, Weights.Flat(fresh));
        Assert.Equal("1", info.Metadata["epoch"]);

        var wider = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 3));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(save.LastPath, wider));
        Assert.Contains("different architecture", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.weight[10x6]", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.weight[12x6]", e.Message, StringComparison.Ordinal);

        // The checkpoint's checksums are checked: a flipped bit in the weights is refused.
        var bytes = File.ReadAllBytes(save.LastPath);
        bytes[bytes.Length / 2] ^= 0x40;
        var damaged = temp.File("damaged");
        File.WriteAllBytes(damaged, bytes);
        Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(damaged, Tiny.Model()));
        Assert.Throws<FileNotFoundException>(() => Checkpoint.LoadWeights(temp.File("missing"), Tiny.Model()));
    }

    [Fact]
    public void PredictRunsInEvalModeWithoutGradientsAndRestoresTheMode()
    {
        using var p = Problem.Make();
        var model = DropoutModel();
        var learner = new Learner(model, p.Data, (a, b) => nn.functional.cross_entropy(a, b), PlainSgd.Factory, 0.1);
        model.train();
        using var pred = learner.Predict(p.Xv);
        Assert.True(model.training);
        Assert.False(pred.requires_grad);
        model.eval();
        using (no_grad())
        using (var expected = model.call(p.Xv))
            Assert.True(expected.allclose(pred, rtol: 0, atol: 0)); // dropout off: the eval-mode output exactly
        model.eval();
        using var again = learner.Predict(p.Xv);
        Assert.False(model.training); // eval stays eval
        Assert.True(again.allclose(pred, rtol: 0, atol: 0));
    }

    [Fact]
    public void GetPredsAndValidateCoverTheValidationSetWithoutTouchingTheCallbacks()
    {
        using var p = Problem.Make();
        var stats = new AvgStats(new Metric("accuracy", Accuracy));
        var recorder = new Recorder();
        var learner = new Learner(DropoutModel(), p.Data, (a, b) => nn.functional.cross_entropy(a, b), PlainSgd.Factory, 0.1,
            [stats, recorder]);
        learner.Fit(2);
        var history = stats.History.ToArray();
        int recorded = recorder.Losses.Count;

        using var preds = learner.GetPreds();
        Assert.Equal(new long[] { 20, 3 }, preds.Preds.shape);
        Assert.True(preds.Targets.equal(p.Yv).all().item<bool>());
        learner.Model.eval();
        using (no_grad())
        using (var expected = learner.Model.call(p.Xv))
        {
            Assert.True(expected.allclose(preds.Preds, rtol: 1e-6, atol: 1e-6));
            // Independent reference: the loss and accuracy over the whole validation set at once.
            var result = learner.Validate();
            Assert.Equal(20, result.Count);
            using var loss = nn.functional.cross_entropy(expected, p.Yv);
            Assert.Equal(loss.item<float>(), result.Loss, 5);
            using var acc = Accuracy(expected, p.Yv);
            Assert.Equal(acc.item<float>(), result.Metrics["accuracy"], 6);
            // The same numbers AvgStats reported for the last epoch's validation (weights have not changed since).
            Assert.Equal(stats.Valid!.Loss, result.Loss, 5);
            Assert.Equal(stats.Valid.Metrics["accuracy"], result.Metrics["accuracy"], 6);
        }
        learner.Model.train();

        using var trainPreds = learner.GetPreds(learner.Data.Train);
        Assert.Equal(40, trainPreds.Preds.shape[0]);
        Assert.True(learner.Model.training);
        Assert.Equal(history, stats.History);
        Assert.Equal(recorded, recorder.Losses.Count);
    }

    [Fact]
    public void RestoreBestWeightsLeavesTheBestEpochsWeightsInTheModel()
    {
        double[] scores = [0.5, 0.9, 0.6, 0.55, 0.5];
        float[] Run(bool restore, List<float[]> perEpoch, bool viaSaveModel, TempFolder temp)
        {
            int epoch = 0;
            var callbacks = new List<Callback>
            {
                new AvgStats(new Metric("score", (pr, y) => tensor((float)scores[epoch]))),
                new Snapshot(m => { perEpoch.Add(Weights.Flat(m)); epoch++; }),
            };
            if (viaSaveModel) callbacks.Add(new SaveModel(temp.Path, monitor: "valid_score") { RestoreBestWeights = restore });
            else callbacks.Add(new EarlyStopping("valid_score", patience: 2, restoreBestWeights: restore));
            var learner = Tiny.Learner(callbacks: callbacks);
            var result = learner.Fit(viaSaveModel ? 5 : 10);
            Assert.Equal(2, result.BestEpoch);
            return Weights.Flat(learner.Model);
        }
        using var temp = new TempFolder();
        var epochs = new List<float[]>();
        var restored = Run(true, epochs, viaSaveModel: false, temp);
        Assert.Equal(4, epochs.Count); // best in epoch 2, no improvement in 3 and 4: stopped
        Assert.Equal(epochs[1], restored);
        Assert.NotEqual(epochs[^1], restored);

        epochs.Clear();
        var last = Run(false, epochs, viaSaveModel: false, temp);
        Assert.Equal(epochs[^1], last); // off by default: the last weights stay

        epochs.Clear();
        var fromFile = Run(true, epochs, viaSaveModel: true, temp);
        Assert.Equal(5, epochs.Count); // SaveModel does not stop the fit
        Assert.Equal(epochs[1], fromFile);
    }

    private sealed class Snapshot(Action<nn.Module> take) : Callback
    {
        public override int Order => CallbackOrder.EarlyStopping - 1; // EarlyStopping's cancellation skips callbacks after it
        public override void AfterEpoch() => take(Learner.Model);
    }
}
