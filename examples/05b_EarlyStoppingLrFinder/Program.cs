// Notebook 05b: the learning rate finder, early stopping and saving the best model, all as callbacks.
//
// LR finder: train for up to 100 batches while the learning rate grows exponentially, record the loss, and stop once
// the loss explodes. The loss-vs-lr curve shows how high the rate can go: a good choice is where the loss still falls
// steeply, well before its minimum (a common rule: the minimum's lr divided by 10). LrFind puts the weights, the
// optimizer and the RNG back afterwards, so the search leaves no trace on the model.
//
// Early stopping: stop when the validation loss has not improved for a few epochs. SaveModel keeps the weights of the
// best epoch so far, so stopping late costs nothing.
//
//   dotnet run -c Release --project examples/05b_EarlyStoppingLrFinder [-- --out DIR]

using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Examples;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Plotting;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var outDir = ExampleArgs.OutputFolder(args, "05b_EarlyStoppingLrFinder");

// A small training set and a wide hidden layer: the model starts to overfit within a few epochs, which is what early
// stopping is for.
using var mnist = MnistData.Bundled(new MnistOptions { MaxTrainItems = 5_000 });
manual_seed(1);
var learner = new Learner(Mlp.Create(mnist.FeatureCount, 200, mnist.ClassCount), mnist.ToDataBunch(batchSize: 64, seed: 1),
    LossFunctions.CrossEntropyLoss, Sgd.Factory(mom: 0.9), lr: 0.01);

// The finder is a callback too; LrFind attaches it for its own short fit.
var finder = learner.LrFind();
var plot = Path.Combine(outDir, "lr-finder.png");
finder.Plot(plot);
Console.WriteLine($"LR finder: {finder.Lrs.Count} batches, lr {finder.Lrs[0]:G2} → {finder.Lrs[^1]:G2}; "
    + $"suggested {finder.SuggestedLr:G3} (min / 10), steepest {finder.SteepestLr:G3}; curve in {plot}");

// The raw losses of the last, diverging batches dwarf the rest of that picture; zoom in on the smoothed loss up to
// the point past its minimum where it has risen to 1.5 times the minimum.
var smoothed = finder.SmoothedLosses;
int lowest = smoothed.Select((v, i) => (v, i)).MinBy(p => p.v).i;
int upTo = Enumerable.Range(lowest, smoothed.Count - lowest).FirstOrDefault(i => smoothed[i] > 1.5 * smoothed[lowest], smoothed.Count);
var zoom = Path.Combine(outDir, "lr-finder-zoom.png");
Charts.Line(zoom, $"smoothed loss until it passes 1.5 × its minimum (suggested lr {finder.SuggestedLr:G3})", "learning rate (log scale)", "loss",
    [new Series("smoothed loss", [.. finder.Lrs.Take(upTo)], [.. smoothed.Take(upTo)])], logX: true);
Console.WriteLine($"zoomed curve in {zoom}");

// Metrics, a recorder and progress for the real training (added after the search, whose batches they need not see).
learner.Add(StandardCallbacks.Classification());

// Train at the suggested rate for up to 30 epochs; stop once valid_loss has not improved for 3 epochs in a row.
var checkpoints = Path.Combine(outDir, "checkpoints");
var early = new EarlyStopping("valid_loss", patience: 3);
var save = new SaveModel(checkpoints, monitor: "valid_loss");
learner.Fit(30, [early, save], lr: finder.SuggestedLr);
Console.WriteLine(early.StoppedAfterEpoch is { } stopped
    ? $"early stopping after epoch {stopped}: valid_loss has not improved on {early.Best:F4} for {early.Patience} epochs"
    : "ran all 30 epochs");

// The last weights are past the best epoch; load the best ones back and check them.
var info = Checkpoint.Load(save.BestPath, learner);
Console.WriteLine($"loaded {save.BestPath} (epoch {info.Metadata["epoch"]}, valid_loss {double.Parse(info.Metadata["valid_loss"], CultureInfo.InvariantCulture):F4}, "
    + $"accuracy {double.Parse(info.Metadata["valid_accuracy"], CultureInfo.InvariantCulture):F4})");
