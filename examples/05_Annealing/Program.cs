// Notebook 05 ("annealing"), replayed with the Learner.
//
// The lesson's point: a learning rate that changes during training beats a constant one. Early on the weights are
// random and a big step is risky; in the middle a high rate explores fast; at the end a small rate settles into the
// minimum. Rather than write a new training loop for each schedule, a ParamScheduler callback sets the rate before
// every batch from a function of "how far through training are we" (0 → 1), and a Recorder callback writes it down
// so we can look at it.
//
//   dotnet run -c Release --project examples/05_Annealing [-- --out DIR]

using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Examples;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Plotting;
using Trainwright.Schedules;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var outDir = ExampleArgs.OutputFolder(args, "05_Annealing");

// ---- 1. The lesson's run: plain SGD, a combined cosine schedule, unnormalised pixels ----

// Notebook 05 feeds the raw pixels in [0, 1) without normalising them, so we do too.
using var raw = MnistData.Bundled(new MnistOptions { Normalize = false });
Console.WriteLine($"MNIST: {raw.TrainX.shape[0]} train, {raw.ValidX.shape[0]} valid images of {raw.FeatureCount} pixels, "
    + $"pixel mean {raw.Mean:F4}, std {raw.Std:F4} (not normalised)");

// Schedules are plain functions of the position in training. Combine glues phases together: for the first 30% of
// training a cosine from 0.3 up to 0.6 (a warm-up), then for the remaining 70% a cosine from 0.6 down to 0.2.
// This "cosine one-cycle" shape keeps the rate high for a long time and then anneals it for a long time.
Schedule schedule = Sched.Combine([0.3, 0.7], [Sched.Cos(0.3, 0.6), Sched.Cos(0.6, 0.2)]);
var positions = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray();
Charts.Line(Path.Combine(outDir, "schedule.png"), "Combine([0.3, 0.7], [Cos(0.3, 0.6), Cos(0.6, 0.2)])",
    "position in training", "learning rate", [new Series("lr", positions, [.. positions.Select(p => schedule(p))])]);
Console.WriteLine("schedule: " + string.Join("  ", new[] { 0, 0.15, 0.3, 0.65, 1 }.Select(p => $"lr({p:0.##})={schedule(p):F3}")));

// The lesson's model: 784 → 50 → ReLU → 10 with PyTorch's default init, SGD without momentum, batches of 512.
manual_seed(1);
var data = raw.ToDataBunch(batchSize: 512, seed: 1);
var learner = new Learner(Mlp.Create(raw.FeatureCount, 50, raw.ClassCount), data, LossFunctions.CrossEntropyLoss,
    Sgd.Factory(mom: 0), lr: 0.3);
// Each learner gets its own AvgStats (accuracy), Recorder and progress display.
learner.Add(StandardCallbacks.Classification());
learner.Fit(3, [new ParamScheduler(Hyper.Lr, schedule)]);

var stats = learner.Get<AvgStats>();
var lessonAccuracy = new[] { 0.8999, 0.9319, 0.9400 };
Console.WriteLine();
Console.WriteLine("epoch  valid accuracy  (lesson)");
foreach (var phase in stats.History.Where(p => !p.Training))
    Console.WriteLine($"{phase.Epoch + 1,5}  {phase.Metrics["accuracy"],14:F4}  ({lessonAccuracy[phase.Epoch]:F4})");
double final = stats.Valid!.Metrics["accuracy"];
Console.WriteLine($"after epoch 3: {final:F4}, {(Math.Abs(final - 0.94) <= 0.015 ? "within" : "OUTSIDE")} ±0.015 of the lesson's 0.9400");

// The Recorder kept the rate and the loss of every training batch. The lr picture should be the schedule above,
// stretched over 3 × 98 batches; the loss should fall fast and then level off.
var recorder = learner.Get<Recorder>();
recorder.PlotLr(Path.Combine(outDir, "lr.png"));
recorder.PlotLoss(Path.Combine(outDir, "loss.png"));

// ---- 2. What we would do today: normalised inputs and one-cycle training with momentum ----

// Normalising the inputs (mean 0, std 1) puts the first layer's activations on the scale its init expects, and
// momentum plus the one-cycle schedule (lr up then down, momentum down then up) lets a higher peak rate be used safely.
using var normalised = MnistData.Bundled();
manual_seed(1);
var better = new Learner(Mlp.Create(normalised.FeatureCount, 50, normalised.ClassCount), normalised.ToDataBunch(512, seed: 1),
    LossFunctions.CrossEntropyLoss, Sgd.Factory(mom: 0.9), lr: 0.3);
better.Add(StandardCallbacks.Classification());
better.FitOneCycle(3, maxLr: 0.3);
double oneCycle = better.Get<AvgStats>().Valid!.Metrics["accuracy"];
Console.WriteLine($"normalised + FitOneCycle(3, maxLr 0.3), SGD momentum: valid accuracy {oneCycle:F4} "
    + $"({(oneCycle > final ? "beats" : "does not beat")} the lesson's recipe at {final:F4})");
better.Get<Recorder>().PlotLr(Path.Combine(outDir, "one-cycle-lr.png"));
better.Get<Recorder>().PlotHyper(Hyper.Mom, Path.Combine(outDir, "one-cycle-mom.png"));

Console.WriteLine($"pictures: {outDir}");
