using System.Diagnostics;
using Trainwright.Data;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// The time-to-accuracy anchor: a public recipe that reaches 99% on MNIST in very few epochs, written as a user would
/// write it in plain TorchSharp (none of this library's pieces but the data): a 5×5 conv of 24 channels and a 3×3 conv of
/// 32, each followed by 2×2 max-pooling before the ReLU, a 256-unit dense layer, no dropout; torch.optim.Adam with lr
/// 0.01 and β 0.7/0.9 under a one-cycle learning rate; batch 256; randperm + index_select batches.
/// </summary>
public static class AnchorCnn
{
    /// <summary>Trains for <paramref name="epochs"/> epochs (the schedule's length) and validates after each.</summary>
    public static IReadOnlyList<EpochResult> Train(MnistData mnist, int epochs, int seed, int batchSize = 256, double maxLr = 0.01)
    {
        ArgumentNullException.ThrowIfNull(mnist);
        manual_seed(seed);
        var model = nn.Sequential(
            nn.Conv2d(1, 24, 5), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(24, 32, 3), nn.MaxPool2d(2), nn.ReLU(),
            nn.Flatten(), nn.Linear(800, 256), nn.ReLU(), nn.Linear(256, 10));
        using var opt = optim.Adam(model.parameters(), maxLr, beta1: 0.7, beta2: 0.9);
        var group = opt.ParamGroups.First();
        var xTrain = mnist.TrainX.view(-1, 1, 28, 28);
        var xValid = mnist.ValidX.view(-1, 1, 28, 28);
        long n = xTrain.shape[0];
        int batches = (int)((n + batchSize - 1) / batchSize), step = 0, total = batches * epochs;
        var results = new List<EpochResult>();
        var clock = Stopwatch.StartNew();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            model.train();
            using (var perm = randperm(n))
            {
                for (int b = 0; b < batches; b++)
                {
                    using var scope = NewDisposeScope();
                    var idx = perm.slice(0, (long)b * batchSize, Math.Min(n, (long)(b + 1) * batchSize), 1);
                    group.LearningRate = OneCycle((double)step++ / total, maxLr);
                    var loss = nn.functional.cross_entropy(model.call(xTrain.index_select(0, idx)), mnist.TrainY.index_select(0, idx));
                    opt.zero_grad();
                    loss.backward();
                    opt.step();
                }
            }
            model.eval();
            long correct = 0;
            using (no_grad())
            {
                for (long start = 0; start < xValid.shape[0]; start += 1000)
                {
                    using var scope = NewDisposeScope();
                    long end = Math.Min(xValid.shape[0], start + 1000);
                    correct += model.call(xValid.slice(0, start, end, 1)).argmax(1).eq(mnist.ValidY.slice(0, start, end, 1)).sum().item<long>();
                }
            }
            results.Add(new EpochResult((double)correct / xValid.shape[0], clock.Elapsed.TotalSeconds));
        }
        model.Dispose();
        return results;
    }

    /// <summary>One-cycle: cosine warm-up from max/25 over the first quarter, cosine anneal to max/1e5 (as torch's OneCycleLR).</summary>
    private static double OneCycle(double pos, double max)
    {
        const double pctStart = 0.25;
        return pos < pctStart
            ? max / 25 + (max - max / 25) * (1 - Math.Cos(Math.PI * pos / pctStart)) / 2
            : max / 1e5 + (max - max / 1e5) * (1 + Math.Cos(Math.PI * (pos - pctStart) / (1 - pctStart))) / 2;
    }
}
