using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Schedules;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Bench;

/// <summary>
/// Loop overhead: one epoch (train + validation) of Learner.Fit with the standard callbacks (TrainEval, AvgStats with
/// accuracy, Recorder, ParamScheduler with a one-cycle lr, Progress in plain mode) against a hand-written TorchSharp loop
/// doing the same work: same model and initial weights, the same batches in the same order, the same optimizer math
/// and learning rate per batch, the per-batch loss read like the Recorder does, and validation loss and accuracy.
/// </summary>
public static class LoopOverheadBench
{
    /// <summary>MLP at batch 64 and 512, and the CNN on a 5,000-item slice.</summary>
    public static IEnumerable<Comparison> Run()
    {
        yield return Measure("MLP 784-50-10, bs 64, 1 epoch", () => Mlp.Create(784, 50, 10), batchSize: 64, trainItems: null, reps: 15, reshape: false);
        yield return Measure("MLP 784-50-10, bs 512, 1 epoch", () => Mlp.Create(784, 50, 10), batchSize: 512, trainItems: null, reps: 15, reshape: false);
        yield return Measure("CNN, bs 128, 5,000 items", () => Cnn.Create(1, 10), batchSize: 128, trainItems: 5000, reps: 5, reshape: true);
    }

    private static Comparison Measure(string name, Func<nn.Module<Tensor, Tensor>> makeModel, int batchSize, int? trainItems, int reps, bool reshape)
    {
        using var mnist = MnistData.Bundled(new MnistOptions { MaxTrainItems = trainItems, MaxValidItems = trainItems is null ? null : trainItems / 5 });
        var data = mnist.ToDataBunch(batchSize, seed: 1);
        manual_seed(0);
        var model = makeModel();
        using var initial = new MemoryStream();
        using (var w = new BinaryWriter(initial, System.Text.Encoding.UTF8, leaveOpen: true)) model.save(w);
        void Reset()
        {
            initial.Position = 0;
            using var r = new BinaryReader(initial, System.Text.Encoding.UTF8, leaveOpen: true);
            model.load(r);
        }
        const double maxLr = 0.1;
        Schedule lr = Sched.OneCycleLr(maxLr);
        Func<Tensor, Tensor> prepare = reshape ? x => x.view(-1, 1, 28, 28) : x => x;

        void WithLearner()
        {
            Reset();
            var learner = new Learner(model, data, LossFunctions.CrossEntropyLoss, Sgd.Factory(mom: 0.9), maxLr,
                [new AvgStats(ClassificationMetrics.Accuracy), new Recorder(), new ProgressDisplay(TextWriter.Null)]);
            if (reshape) learner.Add(new BatchTransform(prepare));
            learner.Fit(1, [new ParamScheduler(Hyper.Lr, lr)]);
        }

        void ByHand()
        {
            Reset();
            using var opt = new Sgd(model.parameters(), maxLr, mom: 0.9);
            var losses = new List<double>();
            int n = data.Train.BatchCount, i = 0;
            model.train();
            data.Train.Epoch = 0;
            using (var trainSums = zeros(2, dtype: ScalarType.Float64))
            {
                int count = 0;
                foreach (var batch in data.Train)
                {
                    using var scope = NewDisposeScope();
                    using var _ = batch;
                    opt.Groups[0][Hyper.Lr] = lr((double)i++ / n);
                    var pred = model.call(prepare(batch.Xb));
                    var loss = LossFunctions.CrossEntropyLoss(pred, batch.Yb);
                    loss.backward();
                    opt.Step();
                    opt.ZeroGrad();
                    using (no_grad())
                        trainSums.add_(stack([loss.detach(), ClassificationMetrics.AccuracyOf(pred, batch.Yb)]).to(ScalarType.Float64), alpha: batch.Size);
                    count += batch.Size;
                    losses.Add(loss.item<float>());
                }
                _ = trainSums.data<double>().ToArray().Select(s => s / count).ToArray();
            }
            model.eval();
            using (no_grad())
            using (var validSums = zeros(2, dtype: ScalarType.Float64))
            {
                int count = 0;
                data.Valid.Epoch = 0;
                foreach (var batch in data.Valid)
                {
                    using var scope = NewDisposeScope();
                    using var _ = batch;
                    var pred = model.call(prepare(batch.Xb));
                    var loss = LossFunctions.CrossEntropyLoss(pred, batch.Yb);
                    validSums.add_(stack([loss, ClassificationMetrics.AccuracyOf(pred, batch.Yb)]).to(ScalarType.Float64), alpha: batch.Size);
                    count += batch.Size;
                }
                _ = validSums.data<double>().ToArray().Select(s => s / count).ToArray();
            }
        }

        var (ours, raw) = Interleaved.Time(WithLearner, ByHand, reps);
        double ratio = Stats.Median(ours) / Stats.Median(raw);
        return new Comparison(name, "Learner.Fit + TrainEval, AvgStats, Recorder, ParamScheduler, Progress (plain)",
            "hand-written TorchSharp loop, same work", ours, raw, "≤ 1.03× (moonshot ≤ 1.01×)", ratio <= 1.03);
    }
}
