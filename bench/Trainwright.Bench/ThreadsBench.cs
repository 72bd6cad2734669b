using System.Diagnostics;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Metrics;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Runtime;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// All cores, safely: one epoch with libtorch using every core against one thread, interleaved in the same process,
/// on the idle machine and again while a competing CPU-bound process (a shell busy loop) holds one core. OpenMP's wait
/// policy is reported beside the figures: with passive waiting, threads that wait for work sleep instead of spinning, so
/// a competing process does not make the pool collapse.
/// </summary>
public static class ThreadsBench
{
    /// <summary>
    /// The CNN (10,000 items) and the MLP, idle and under load: the command's default for training (every core, with a
    /// <see cref="ThreadTuner"/>), and a fixed count of every core.
    /// </summary>
    public static IEnumerable<Comparison> Run()
    {
        int cores = Environment.ProcessorCount;
        foreach (var loaded in new[] { false, true })
        {
            string load = loaded ? ", one core busy" : ", idle";
            yield return Measure($"FastCnn, bs 128, 10,000 items, the default (up to {cores} threads, tuned) vs 1 thread{load}",
                () => FastCnn.Create(1, 10), 128, 10_000, reshape: true, loaded, cores, tuned: true,
                loaded ? "≤ 1.2×" : "≤ 0.67× (≥ 1.5× faster)", r => loaded ? r <= 1.2 : r <= 1 / 1.5);
            yield return Measure($"FastCnn, bs 128, 10,000 items, {cores} threads fixed vs 1{load}",
                () => FastCnn.Create(1, 10), 128, 10_000, reshape: true, loaded, cores, tuned: false, "(reported)", _ => true);
            yield return Measure($"MLP 784-50-10, bs 64, 1 epoch, the default (up to {cores} threads, tuned) vs 1 thread{load}",
                () => Mlp.Create(784, 50, 10), 64, null, reshape: false, loaded, cores, tuned: true, "≤ 1.2×", r => r <= 1.2);
            yield return Measure($"MLP 784-50-10, bs 64, 1 epoch, {cores} threads fixed vs 1{load}",
                () => Mlp.Create(784, 50, 10), 64, null, reshape: false, loaded, cores, tuned: false, "(reported)", _ => true);
        }
    }

    private static Comparison Measure(string name, Func<nn.Module<Tensor, Tensor>> makeModel, int batchSize, int? items, bool reshape,
        bool loaded, int cores, bool tuned, string goal, Func<double, bool> met)
    {
        using var mnist = MnistData.Bundled(new MnistOptions { MaxTrainItems = items, MaxValidItems = items is null ? null : items / 5 });
        var data = mnist.ToDataBunch(batchSize, seed: 1);
        int before = get_num_threads();
        void Epoch(int threads, bool tune)
        {
            set_num_threads(threads);
            manual_seed(0);
            var learner = new Learner(makeModel(), data, LossFunctions.CrossEntropyLoss, Sgd.Factory(mom: 0.9), 0.05,
                [new AvgStats(ClassificationMetrics.Accuracy)]);
            if (reshape) learner.Add(BatchTransform.Reshape(1, 28, 28));
            if (tune) learner.Add(new ThreadTuner(threads));
            learner.Fit(1);
        }
        using var busy = loaded ? Busy.Start() : null;
        var (all, one) = Interleaved.Time(() => Epoch(cores, tuned), () => Epoch(1, tune: false), repetitions: 7);
        set_num_threads(before);
        double ratio = Stats.Median(all) / Stats.Median(one);
        return new Comparison(name, $"{(tuned ? "tuned, up to " : "")}{cores} threads (OMP_WAIT_POLICY={OpenMpWaitPolicy.NativeValue ?? "unset"}, GOMP_SPINCOUNT={Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") ?? "unset"})", "1 thread",
            all, one, goal, met(ratio));
    }

    /// <summary>A competing CPU-bound process, ended on dispose.</summary>
    private sealed class Busy : IDisposable
    {
        private readonly Process process;
        private Busy(Process process) => this.process = process;

        public static Busy Start() => new(Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]))!);

        public void Dispose()
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.Dispose();
        }
    }
}
