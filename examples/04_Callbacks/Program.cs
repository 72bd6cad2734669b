// Notebook 04 (callbacks): one training loop, changed from the outside.
//
// Every new idea (schedules, metrics, early stopping, mixed precision…) would otherwise need its own copy of the
// training loop. Instead the Learner's loop fires events (BeforeFit, BeforeBatch, AfterLoss, AfterStep, …) and
// callbacks run at the ones they care about. They can read and change the learner's state, and stop part of the
// loop by throwing a Cancel…Exception.
//
//   dotnet run -c Release --project examples/04_Callbacks

using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using static TorchSharp.torch;
using Trainwright.Metrics;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
using var mnist = MnistData.Bundled();
var data = mnist.ToDataBunch(batchSize: 64, seed: 1);

Learner NewLearner()
{
    manual_seed(1);
    return new Learner(Mlp.Create(mnist.FeatureCount, 50, mnist.ClassCount), data, LossFunctions.CrossEntropyLoss,
        Sgd.Factory(mom: 0), lr: 0.5);
}

// ---- 1. A callback that stops training after 10 batches ----
var learner = NewLearner();
var test = new StopAfter(10);
learner.Fit(1, [test]);
Console.WriteLine($"TestCallback: stopped after {learner.TrainIter} training batches (of {learner.ItersPerEpoch}); "
    + $"AfterStep saw TrainIter {string.Join(", ", test.Seen)}");

// ---- 2. AvgStats: loss and accuracy averaged over each pass, weighted by batch size ----
learner = NewLearner();
var stats = new AvgStats(ClassificationMetrics.Accuracy);
learner.Add(stats);
learner.Fit(2);
foreach (var phase in stats.History)
    Console.WriteLine($"epoch {phase.Epoch + 1} {(phase.Training ? "train" : "valid")}: loss {phase.Loss:F4}, accuracy {phase.Metrics["accuracy"]:F4}");

// ---- 3. Which callback runs when ----
learner.Add(new Recorder());
learner.Add(new ProgressDisplay(Console.Out));
Console.WriteLine("\nThe training loop, with the callbacks attached to this learner:");
learner.ShowTrainingLoop(Console.Out);

/// <summary>The lesson's TestCallback: counts training batches and cancels the fit once it has seen enough.</summary>
internal sealed class StopAfter(int iterations) : Callback
{
    public List<int> Seen { get; } = [];

    public override void AfterStep()
    {
        Seen.Add(Learner.TrainIter);
        // TrainIter counts batches completed before this one, so after the 10th step it is 9.
        if (Learner.TrainIter + 1 >= iterations) throw new CancelFitException($"seen {iterations} batches");
    }
}
