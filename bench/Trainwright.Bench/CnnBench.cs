using System.Diagnostics;
using System.Globalization;
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
/// Time to accuracy: <see cref="Cnn"/> trained on normalised MNIST (all 50,000 training images, validated on the 10,000
/// held out) with the Learner and one-cycle, for up to five epochs. Reports each epoch's validation accuracy and the
/// cumulative wall time (training and validation), and when 99.0% and 99.2% were first reached (at an epoch's end,
/// the only time the model is validated). Plain Markdown lines, not a <see cref="Comparison"/>: there is no baseline.
/// </summary>
public static class CnnBench
{
    /// <summary>One configuration of the run.</summary>
    /// <param name="Epochs">Epochs of the one-cycle schedule.</param>
    /// <param name="BatchSize">Training batch size (validation uses twice that).</param>
    /// <param name="MaxLr">Peak learning rate of the cycle.</param>
    /// <param name="Wd">Decoupled weight decay of AdamW.</param>
    /// <param name="PctStart">Share of training spent warming up.</param>
    /// <param name="TrainItems">Training images used (null: all 50,000); smaller only for tuning.</param>
    /// <param name="Seed">Seed of the weights and the shuffling.</param>
    public sealed record Settings(int Epochs = 5, int BatchSize = 128, double MaxLr = 6e-3, double Wd = 0.01, double PctStart = 0.25,
        int? TrainItems = null, int Seed = 1);

    /// <summary>The configuration the published figures use.</summary>
    public static Settings Default { get; } = new();

    /// <summary>Runs <see cref="Default"/>.</summary>
    public static IEnumerable<string> Run() => Run(Default);

    /// <summary>Runs one configuration and yields Markdown lines as epochs finish.</summary>
    public static IEnumerable<string> Run(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var mnist = MnistData.Bundled(new MnistOptions { MaxTrainItems = settings.TrainItems });
        var data = mnist.ToDataBunch(settings.BatchSize, seed: settings.Seed);
        manual_seed(settings.Seed);
        var learner = new Learner(Cnn.Create(1, mnist.ClassCount), data, LossFunctions.CrossEntropyLoss,
            AdamW.Factory(wd: settings.Wd), settings.MaxLr);
        var stats = new AvgStats(ClassificationMetrics.Accuracy);
        var clock = new EpochClock();
        learner.Add(stats);
        learner.Add(BatchTransform.Reshape(1, 28, 28));
        learner.Add(clock);

        yield return string.Create(CultureInfo.InvariantCulture,
            $"Models.Cnn (conv-BN-ReLU ×5, {Cnn.ForwardMacs(1, 10, 28, 28) / 1e6:F1} M MACs/image), AdamW (β 0.95→0.85→0.95 one-cycle, wd {settings.Wd}), "
            + $"max lr {settings.MaxLr}, pct_start {settings.PctStart}, bs {settings.BatchSize}, {mnist.TrainX.shape[0]} train / {mnist.ValidX.shape[0]} valid images "
            + $"(normalised, no augmentation), seed {settings.Seed}, torch threads {get_num_threads()}.");
        yield return "";
        yield return "| epoch | train loss | valid loss | valid accuracy | cumulative wall s |";
        yield return "|---:|---:|---:|---:|---:|";

        // Fit on a background thread so each epoch's row can be yielded as soon as it is known.
        using var rows = new System.Collections.Concurrent.BlockingCollection<string>();
        double? at990 = null, at992 = null;
        double best = 0;
        stats.PhaseEnded += phase =>
        {
            if (phase.Training) return;
            double acc = phase.Metrics["accuracy"], seconds = clock.Elapsed.TotalSeconds;
            best = Math.Max(best, acc);
            if (acc >= 0.990) at990 ??= seconds;
            if (acc >= 0.992) at992 ??= seconds;
            var train = stats.Train!;
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {phase.Epoch + 1} | {train.Loss:F4} | {phase.Loss:F4} | {acc:P2} | {seconds:F0} |"));
        };
        Exception? failure = null;
        var worker = new Thread(() =>
        {
            try { learner.FitOneCycle(settings.Epochs, settings.MaxLr, settings.PctStart); }
            catch (Exception e) { failure = e; }
            finally { rows.CompleteAdding(); }
        }, 64 * 1024 * 1024);
        worker.Start();
        foreach (var row in rows.GetConsumingEnumerable()) yield return row;
        worker.Join();
        if (failure is not null) throw new InvalidOperationException("The CNN benchmark's fit failed.", failure);

        yield return "";
        yield return string.Create(CultureInfo.InvariantCulture, $"Best valid accuracy {best:P2}. "
            + $"99.0% first reached at {(at990 is { } a ? $"{a:F0} s" : "— (not reached)")}; "
            + $"99.2% first reached at {(at992 is { } b ? $"{b:F0} s" : "— (not reached)")}.");
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
