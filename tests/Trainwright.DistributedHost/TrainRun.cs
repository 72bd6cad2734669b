using System.Diagnostics;
using System.Text.Json;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Distributed;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using TorchSharp;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.DistributedHost;

/// <summary>
/// Trains the lesson's MLP (784-50-10) on a slice of the bundled MNIST, data-parallel when started by mpirun, and writes
/// per rank: the final weights (raw float32, parameters in order), the AvgStats figures, a plain full-set evaluation of
/// the final weights (rank 0), the checkpoint files it wrote, and timings.
/// </summary>
internal static class TrainRun
{
    public static int Run(Options o)
    {
        var startup = Mpi.TryInitialize();
        int rank = startup.Mpi?.Rank ?? 0;
        DistributedSession? session = null;
        try
        {
            string dir = Path.Combine(o.String("out"), $"rank{rank}");
            Directory.CreateDirectory(dir);
            using var data = MnistData.Bundled(new MnistOptions { MaxTrainItems = o.Int("train-items", 2048), MaxValidItems = o.Int("valid-items", 1000) });
            // Each rank starts from different weights on purpose: the broadcast from rank 0 must make them equal.
            // Rank 0's seed is the single-process run's seed, so both start from the same weights.
            manual_seed(1 + rank);
            var model = Mlp.Create(data.FeatureCount, 50, data.ClassCount);
            var train = new DataLoader<(Tensor X, Tensor Y)>(data.Train, o.Int("batch", 32), shuffle: true, seed: 42);
            var valid = new DataLoader<(Tensor X, Tensor Y)>(data.Valid, 100, shuffle: false);
            var stats = new AvgStats(ClassificationMetrics.Accuracy);
            var learner = new Learner(model, new DataBunch(train, valid, data.ClassCount), LossFunctions.CrossEntropyLoss,
                Sgd.Factory(mom: o.Double("mom", 0.9)), lr: o.Double("lr", 0.1), callbacks: [stats]);

            session = DistributedTraining.Setup(learner, shardValidation: o.Bool("shard-valid", true));
            string checkpoints = Path.Combine(dir, "checkpoints");
            if (session.IsRankZero) learner.Add(new SaveModel(checkpoints, monitor: "valid_loss"));

            var watch = Stopwatch.StartNew();
            learner.Fit(o.Int("epochs", 2));
            watch.Stop();

            var weights = model.parameters().SelectMany(p => p.detach().contiguous().data<float>().ToArray()).ToArray();
            var bytes = new byte[weights.Length * sizeof(float)];
            Buffer.BlockCopy(weights, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(Path.Combine(dir, "weights.bin"), bytes);

            var result = new Dictionary<string, object?>
            {
                ["rank"] = rank,
                ["worldSize"] = session.WorldSize,
                ["status"] = startup.Status.ToString(),
                ["trainLoss"] = stats.Train!.Loss,
                ["trainCount"] = stats.Train.Count,
                ["validLoss"] = stats.Valid!.Loss,
                ["validAccuracy"] = stats.Valid.Metrics["accuracy"],
                ["validCount"] = stats.Valid.Count,
                ["fullEvalAccuracy"] = session.IsRankZero ? EvaluateAccuracy(model, data.ValidX, data.ValidY) : null,
                ["checkpointFiles"] = Directory.Exists(checkpoints) ? Directory.GetFiles(checkpoints).Length : 0,
                ["fitSeconds"] = watch.Elapsed.TotalSeconds,
                ["trainItemsPerEpoch"] = train.ItemCount,
                ["stepsPerEpoch"] = train.BatchCount,
                ["allReduceSeconds"] = session.Callback?.AllReduceTime.TotalSeconds ?? 0,
                ["averagedSteps"] = session.Callback?.AveragedSteps ?? 0,
                ["bucketElements"] = session.Callback?.BucketElements ?? 0,
            };
            File.WriteAllText(Path.Combine(dir, "result.json"), JsonSerializer.Serialize(result));
            session.Dispose();
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"rank {rank}: {e}");
            // Do not leave the other processes waiting in a collective.
            if (startup.Mpi is { Size: > 1 } mpi) mpi.Abort(3);
            session?.Dispose();
            return 3;
        }
    }

    /// <summary>Accuracy of the model on the whole set in one forward pass: independent of AvgStats and of sharding.</summary>
    private static double EvaluateAccuracy(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var correct = model.call(x).argmax(1).eq(y).sum().ToInt64();
        return (double)correct / y.shape[0];
    }
}
