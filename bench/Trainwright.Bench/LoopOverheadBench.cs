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
/// accuracy, Recorder, ParamScheduler with a one-cycle lr, Progress in plain mode) and the default loss and optimizer,
/// against <see cref="RawTorchSharpLoop"/>: a user's plain TorchSharp loop (randperm + index_select,
/// nn.functional.cross_entropy, torch.optim.SGD, item() per batch), from the same initial weights.
/// </summary>
public static class LoopOverheadBench
{
    /// <summary>MLP at batch 64 and 512, and the CNN on a 5,000-item slice.</summary>
    public static IEnumerable<Comparison> Run()
    {
        yield return Measure("MLP 784-50-10, bs 64, 1 epoch", () => Mlp.Create(784, 50, 10), batchSize: 64, trainItems: null, reps: 15, reshape: false);
        yield return Measure("MLP 784-50-10, bs 512, 1 epoch", () => Mlp.Create(784, 50, 10), batchSize: 512, trainItems: null, reps: 15, reshape: false);
        yield return Measure("FastCnn (the CLI's cnn), bs 128, 5,000 items", () => FastCnn.Create(1, 10), batchSize: 128, trainItems: 5000, reps: 11, reshape: true);
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

        var losses = new List<float>(data.Train.BatchCount);
        void ByHand()
        {
            Reset();
            losses.Clear();
            RawTorchSharpLoop.Epoch(model, mnist.TrainX, mnist.TrainY, mnist.ValidX, mnist.ValidY, batchSize, x => lr(x), prepare, losses);
        }

        var (ours, raw) = Interleaved.Time(WithLearner, ByHand, reps);
        double ratio = Stats.Median(ours) / Stats.Median(raw);
        return new Comparison(name, "Learner.Fit + TrainEval, AvgStats, Recorder, ParamScheduler, Progress (plain)",
            "raw TorchSharp loop (randperm + index_select, F.cross_entropy, optim.SGD, item())", ours, raw, "≤ 1.03× (moonshot ≤ 1.01×)", ratio <= 1.03);
    }
}
