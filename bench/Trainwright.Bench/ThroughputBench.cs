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
/// The machine's limit: measured GEMM GFLOP/s (2048² float32 matmul), the share of it the CNN's training step achieves
/// (counting the model's FLOPs), and training samples per second for the MLP and the CNN through the Learner.
/// </summary>
public static class ThroughputBench
{
    /// <summary>Runs the measurements (about a minute).</summary>
    public static IEnumerable<Figure> Run()
    {
        double gflops = GemmGflops(2048, reps: 10);
        yield return new Figure("GEMM 2048×2048 float32 (torch.mm)", $"{gflops:F1} GFLOP/s", "", "", null);

        using var mnist = MnistData.Bundled(new MnistOptions { MaxTrainItems = 10_000, MaxValidItems = 1000 });
        double mlp = SamplesPerSecond(mnist, Mlp.Create(784, 50, 10), 64, reshape: false);
        yield return new Figure("MLP 784-50-10 training, bs 64 (Learner, standard callbacks)", $"{mlp:F0} samples/s", "", "", null);

        foreach (var (name, model, macs, items) in new (string, Func<nn.Module<Tensor, Tensor>>, long, int?)[]
        {
            ("lesson CNN (Models.Cnn, --model lesson-cnn)", () => Cnn.Create(1, 10), Cnn.ForwardMacs(1, 10, 28, 28), null),
            ("FastCnn (--model cnn)", () => FastCnn.Create(1, 10), FastCnn.ForwardMacs(1, 10, 28, 28), null),
            ("XResNet18 (--model resnet18)", () => XResNet.XResNet18(1, 10), MacCounter.ForwardMacs(XResNet.XResNet18(1, 10), 1, 28, 28), 1024),
        })
        {
            using var slice = items is null ? null : MnistData.Bundled(new MnistOptions { MaxTrainItems = items, MaxValidItems = 100 });
            double rate = SamplesPerSecond(slice ?? mnist, model(), 128, reshape: true);
            double achieved = rate * 3 * 2.0 * macs / 1e9; // forward, plus backward ≈ 2× forward
            yield return new Figure($"{name} training, bs 128 (Learner, standard callbacks)", $"{rate:F0} samples/s",
                $"{macs / 1e6:F2} M MACs forward per image", "", null);
            yield return new Figure($"{name} step FLOP rate (≈ 3 × 2 × forward MACs per sample)", $"{achieved:F1} GFLOP/s",
                $"{achieved / gflops:P1} of the GEMM rate", "≥ 65%", achieved / gflops >= 0.65);
        }
        // The hook count checks itself against the closed forms of the two CNNs.
        yield return new Figure("MAC count by hooks vs closed form (lesson CNN, FastCnn)",
            $"{MacCounter.ForwardMacs(Cnn.Create(1, 10), 1, 28, 28)} / {Cnn.ForwardMacs(1, 10, 28, 28)}",
            $"{MacCounter.ForwardMacs(FastCnn.Create(1, 10), 1, 28, 28)} / {FastCnn.ForwardMacs(1, 10, 28, 28)}", "", null);
    }

    private static double GemmGflops(int n, int reps)
    {
        using var a = randn(n, n);
        using var b = randn(n, n);
        using (var warm = a.mm(b)) { }
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            using var c = a.mm(b);
            times[i] = sw.Elapsed.TotalSeconds;
        }
        return 2.0 * n * n * n / times.Min() / 1e9;
    }

    private static double SamplesPerSecond(MnistData mnist, nn.Module<Tensor, Tensor> model, int bs, bool reshape)
    {
        var learner = new Learner(model, mnist.ToDataBunch(bs, seed: 1), LossFunctions.CrossEntropyLoss, Sgd.Factory(mom: 0.9), 0.05,
            [new AvgStats(ClassificationMetrics.Accuracy), new Recorder(), new ProgressDisplay(TextWriter.Null), new CancelValidation()]);
        if (reshape) learner.Add(new BatchTransform(BatchTransform.ReshapeFunction(1, 28, 28)));
        learner.Fit(1); // warm-up
        var sw = Stopwatch.StartNew();
        learner.Fit(1);
        return learner.Data.Train.ItemCount / sw.Elapsed.TotalSeconds;
    }

    private sealed class CancelValidation : Callback
    {
        public override void BeforeValidate() => throw new CancelValidateException("throughput counts training only");
    }
}
