using System.Diagnostics;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Bench;

/// <summary>
/// Memory over a long run: process RSS and TorchSharp's live tensor count at the end of each of 20 epochs of the MLP
/// trained with the standard callbacks. Goal: live tensors constant; RSS growth from epoch 2 to 20 at most 2%.
/// </summary>
public static class MemoryBench
{
    private sealed class Sample(List<(long Rss, long Tensors)> samples) : Callback
    {
        public override int Order => 1000;
        public override void AfterEpoch()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            samples.Add((self.WorkingSet64, Tensor.TotalCount));
        }
    }

    /// <summary>Runs 20 epochs (a few minutes) and reports the figures.</summary>
    public static IEnumerable<Figure> Run(int epochs = 20)
    {
        using var mnist = MnistData.Bundled();
        manual_seed(0);
        var learner = new Learner(Mlp.Create(784, 50, 10), mnist.ToDataBunch(64, seed: 1), LossFunctions.CrossEntropyLoss,
            Sgd.Factory(mom: 0.9), 0.05, [new AvgStats(ClassificationMetrics.Accuracy), new Recorder(), new ProgressDisplay(TextWriter.Null)]);
        var samples = new List<(long Rss, long Tensors)>();
        learner.FitOneCycle(epochs, 0.1, callbacks: [new Sample(samples)]);
        double mb(long b) => b / 1048576.0;
        var (rss2, t2) = samples[1];
        var (rssN, tN) = samples[^1];
        double growth = (double)(rssN - rss2) / rss2;
        bool tensorsFlat = samples.Skip(1).All(s => s.Tensors == t2);
        yield return new Figure($"live tensors at the end of epochs 1…{epochs}", string.Join(", ", samples.Select(s => s.Tensors)),
            "", "constant from epoch 2", tensorsFlat);
        yield return new Figure($"RSS at the end of epochs 1…{epochs} (MiB)", string.Join(", ", samples.Select(s => mb(s.Rss).ToString("F0", System.Globalization.CultureInfo.InvariantCulture))),
            "", "", null);
        yield return new Figure($"RSS growth, epoch 2 → {epochs}", $"{growth:P2} ({mb(rss2):F0} → {mb(rssN):F0} MiB)", "", "≤ 2%", growth <= 0.02);
    }
}
