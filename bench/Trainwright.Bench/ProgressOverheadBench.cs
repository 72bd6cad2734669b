using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// The cost of the Progress callback in plain mode: a fit with AvgStats against the same fit with AvgStats and
/// Progress (writing to a null writer), on a small MLP over random data so per-batch overhead is visible.
/// </summary>
public static class ProgressOverheadBench
{
    /// <summary>Runs the comparison.</summary>
    public static IEnumerable<Comparison> Run()
    {
        const int items = 8192, features = 64, classes = 10, batch = 64;
        manual_seed(0);
        var x = randn(items, features);
        var y = randint(0, classes, items);
        var data = new DataBunch(new Loader(x, y, batch), new Loader(x.narrow(0, 0, 1024), y.narrow(0, 0, 1024), 256), classes);

        void Fit(bool progress)
        {
            manual_seed(1);
            var model = nn.Sequential(nn.Linear(features, 50), nn.ReLU(), nn.Linear(50, classes));
            List<Callback> cbs = [new AvgStats()];
            if (progress) cbs.Add(new ProgressCallback(TextWriter.Null));
            new Learner(model, data, (p, t) => nn.functional.cross_entropy(p, t), Sgd, 0.1, cbs).Fit(2);
        }

        var (withProgress, without) = Interleaved.Time(() => Fit(true), () => Fit(false), repetitions: 15);
        var c = new Comparison("Progress overhead (plain mode, 2 epochs × 128 batches, MLP 64-50-10)", "AvgStats + Progress(plain)",
            "AvgStats only", withProgress, without, "≤ 1.03×", false);
        yield return c with { GoalMet = c.MedianRatio <= 1.03 };
    }

    private static Optimizer Sgd(IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>> groups, double lr) => new PlainStep(groups, lr);

    /// <summary>p -= lr·grad, so the bench does not depend on the Optim folder's optimizers.</summary>
    private sealed class PlainStep(IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>> groups, double lr)
        : Optimizer(groups.Select(g => new ParamGroup(g, new Dictionary<string, double> { [Hyper.Lr] = lr })))
    {
        public override void Step()
        {
            using var _ = no_grad();
            foreach (var g in Groups)
                foreach (var p in g.Parameters)
                    if (p.grad is { } grad) p.add_(grad, alpha: -g[Hyper.Lr]);
        }

        public override void SaveState(BinaryWriter writer) { }

        public override void LoadState(BinaryReader reader) { }
    }

    private sealed class Loader(Tensor x, Tensor y, int batchSize) : IDataLoader
    {
        public int ItemCount => (int)x.shape[0];
        public int BatchCount => (ItemCount + batchSize - 1) / batchSize;
        public int Epoch { get; set; }
        public int BatchSize => batchSize;

        public IEnumerator<Batch> GetEnumerator()
        {
            for (int start = 0; start < ItemCount; start += batchSize)
            {
                int n = Math.Min(batchSize, ItemCount - start);
                yield return new Batch(x.narrow(0, start, n), y.narrow(0, start, n)).Detach();
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
