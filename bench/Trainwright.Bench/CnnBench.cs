using System.Diagnostics;
using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Metrics;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Schedules;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// Time to accuracy on MNIST (all 50,000 training images, validated on the 10,000 held out, normalised, no
/// augmentation), in one run: the anchor, a public recipe hand-written as a plain TorchSharp loop
/// (<see cref="AnchorCnn"/>, two epochs), then Trainwright's default CNN (<see cref="FastCnn"/> with its recipe) through
/// the Learner, for its one-epoch schedule and again for two and five epochs (each threshold takes the fastest). Wall time is cumulative training and validation,
/// read at each epoch's end (the only time a model is validated).
/// </summary>
public static class CnnBench
{
    private static readonly double[] Thresholds = [0.990, 0.992, 0.993];

    /// <summary>Runs the four fits and yields Markdown as they finish.</summary>
    public static IEnumerable<string> Run()
    {
        using var mnist = MnistData.Bundled();
        var recipe = FastCnn.Recipe;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"Anchor: 5×5 conv 24 → max-pool → ReLU → 3×3 conv 32 → max-pool → ReLU → dense 256 → 10 "
            + $"({FastCnn.ForwardMacs(1, 10, 28, 28) / 1e6:F2} M MACs/image without its batch norms), torch.optim.Adam (lr 0.01, β 0.7/0.9), "
            + $"one-cycle, batch 256, 2 epochs, plain TorchSharp. Trainwright: Models.FastCnn (the same convs with batch norm), "
            + $"Adam β {recipe.Beta1}/{recipe.Beta2}, one-cycle to {recipe.MaxLr}, batch {recipe.BatchSize}, label smoothing "
            + $"{recipe.LabelSmoothing}, Learner with AvgStats. Torch threads {get_num_threads()}.");
        yield return "";
        yield return "| run | epoch | valid accuracy | cumulative wall s |";
        yield return "|---|---:|---:|---:|";

        var anchor = AnchorCnn.Train(mnist, epochs: 2, seed: 1);
        foreach (var row in Rows("anchor (plain TorchSharp), 2-epoch schedule", anchor)) yield return row;
        // The default one-epoch schedule, then longer ones for the higher thresholds; each threshold takes the fastest.
        var ours = new List<(int Epochs, IReadOnlyList<EpochResult> Results)>();
        foreach (var epochs in new[] { recipe.Epochs, 2, 5 })
        {
            var results = TrainFastCnn(mnist, recipe with { Epochs = epochs }, seed: 1);
            ours.Add((epochs, results));
            foreach (var row in Rows($"Trainwright FastCnn, {epochs}-epoch schedule", results)) yield return row;
        }
        var ours5 = ours[^1].Results;

        double? anchor990 = FirstAt(anchor, 0.990);
        double? best990 = ours.Select(o => FirstAt(o.Results, 0.990)).Aggregate((double?)null, Min);
        double? best992 = ours.Select(o => FirstAt(o.Results, 0.992)).Aggregate((double?)null, Min);
        yield return "";
        yield return "| measurement | Trainwright | anchor | ratio | goal | met |";
        yield return "|---|---:|---:|---:|---|---|";
        yield return Goal("time to 99.0%", best990, anchor990, "≤ 1.0× (moonshot ≤ 0.5×)", 1.0);
        yield return Goal("time to 99.2% vs the anchor's time to 99.0%", best992, anchor990, "≤ 1.5×", 1.5);
        double final5 = ours5[^1].Accuracy;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"| final accuracy within 5 epochs | {final5:P2} | {anchor[^1].Accuracy:P2} (2 epochs) | | ≥ 99.3% | {(final5 >= 0.993 ? "yes" : "**no**")} |");
        yield return "";
        foreach (var t in Thresholds)
        {
            var each = ours.Select(o => $"FastCnn {o.Epochs}-epoch {Seconds(FirstAt(o.Results, t))}");
            yield return string.Create(CultureInfo.InvariantCulture, $"{t:P1}: anchor {Seconds(FirstAt(anchor, t))}, {string.Join(", ", each)}.");
        }
    }

    /// <summary>FastCnn trained by the Learner with its recipe; the accuracy and cumulative time after each epoch.</summary>
    public static IReadOnlyList<EpochResult> TrainFastCnn(MnistData mnist, FastCnnRecipe recipe, int seed)
    {
        ArgumentNullException.ThrowIfNull(mnist);
        ArgumentNullException.ThrowIfNull(recipe);
        var data = mnist.ToDataBunch(recipe.BatchSize, seed: seed);
        manual_seed(seed);
        var learner = new Learner(FastCnn.Create(1, mnist.ClassCount), data, LossFunctions.LabelSmoothingCrossEntropy(recipe.LabelSmoothing),
            Adam.Factory(mom: recipe.Beta1, sqrMom: recipe.Beta2), recipe.MaxLr);
        var stats = new AvgStats(ClassificationMetrics.Accuracy);
        var clock = new EpochClock();
        learner.Add(stats);
        learner.Add(BatchTransform.Reshape(1, 28, 28));
        learner.Add(clock);
        var results = new List<EpochResult>();
        stats.PhaseEnded += phase =>
        {
            if (!phase.Training) results.Add(new EpochResult(phase.Metrics["accuracy"], clock.Elapsed.TotalSeconds));
        };
        learner.Fit(recipe.Epochs, [new ParamScheduler(Hyper.Lr, Sched.OneCycleLr(recipe.MaxLr))]);
        return results;
    }

    private static IEnumerable<string> Rows(string run, IReadOnlyList<EpochResult> results) =>
        results.Select((r, i) => string.Create(CultureInfo.InvariantCulture, $"| {run} | {i + 1} | {r.Accuracy:P2} | {r.Seconds:F1} |"));

    private static double? FirstAt(IReadOnlyList<EpochResult> results, double accuracy) =>
        results.FirstOrDefault(r => r.Accuracy >= accuracy)?.Seconds;

    private static double? Min(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static string Seconds(double? s) => s is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:F1} s") : "not reached";

    private static string Goal(string name, double? ours, double? anchor, string goal, double limit)
    {
        if (ours is null || anchor is null)
            return $"| {name} | {Seconds(ours)} | {Seconds(anchor)} | | {goal} | **no** |";
        double ratio = ours.Value / anchor.Value;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {ours:F1} s | {anchor:F1} s | {ratio:F2} | {goal} | {(ratio <= limit ? "yes" : "**no**")} |");
    }

    /// <summary>Wall time since the fit began, read at the end of each epoch.</summary>
    private sealed class EpochClock : Callback
    {
        private readonly Stopwatch watch = new();

        public TimeSpan Elapsed => watch.Elapsed;

        // Before AvgStats (order 30) finishes the validation pass and raises PhaseEnded, so the time includes it.
        public override int Order => CallbackOrder.TrainEval;

        public override void BeforeFit() => watch.Restart();

        public override void AfterFit() => watch.Stop();
    }
}

/// <summary>Validation accuracy and cumulative wall seconds at the end of one epoch.</summary>
public sealed record EpochResult(double Accuracy, double Seconds);
