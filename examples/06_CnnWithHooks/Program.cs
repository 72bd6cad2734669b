// Notebook 06 (CNN and hooks), with the Learner.
//
// A convnet on MNIST, with forward hooks that watch what happens inside it while it trains. The lesson's question:
// do the activations keep a healthy scale layer after layer, or do they blow up and collapse? A network whose
// activations collapse to zero early on ("dead" ReLUs) trains much worse than its final accuracy may suggest.
// ActivationStats records, for each ReLU and each training batch, the mean, the std, the share of outputs near zero
// and a histogram, and draws them; the histogram over time is the lesson's "colorful dimension" picture.
//
//   dotnet run -c Release --project examples/06_CnnWithHooks [-- --epochs 1 --items 20000 --out DIR]

using System.Diagnostics;
using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Diagnostics;
using Trainwright.Examples;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var outDir = ExampleArgs.OutputFolder(args, "06_CnnWithHooks");
int epochs = ExampleArgs.Int(args, "--epochs", 1);
// A convnet costs far more per image than the MLP; by default train on a part of the training set so the example
// runs in a couple of minutes on a laptop. --items 50000 uses it all.
int items = ExampleArgs.Int(args, "--items", 20_000);

using var mnist = MnistData.Bundled(new MnistOptions { MaxTrainItems = items });
var data = mnist.ToDataBunch(batchSize: 128, seed: 1);

// Conv → BatchNorm → ReLU blocks, stride 2 to downsample, then average pooling and a linear head (see Models.Cnn).
manual_seed(1);
var model = Cnn.Create(inChannels: 1, classes: mnist.ClassCount);
foreach (var (name, layer) in model.named_children()) Console.Write($"{name}:{layer.GetType().Name} ");
Console.WriteLine();

var learner = new Learner(model, data, LossFunctions.CrossEntropyLoss, AdamW.Factory(), lr: 3e-3);
learner.Add(StandardCallbacks.Classification());
// The loader yields flat rows of 784 pixels; a convolution wants [batch, channels, height, width].
learner.Add(BatchTransform.Reshape(1, 28, 28));

// Hooks are attached for this fit only and removed at its end: a hook left behind would keep measuring (and costing)
// in every later forward pass. By default ActivationStats watches every ReLU-like module.
using var activations = new ActivationStats();
var clock = Stopwatch.StartNew();
learner.FitOneCycle(epochs, maxLr: 3e-3, callbacks: [activations]);
Console.WriteLine($"trained {epochs} epoch(s) on {items} images in {clock.Elapsed.TotalSeconds:F0}s; "
    + $"valid accuracy {learner.Get<AvgStats>().Valid!.Metrics["accuracy"]:F4}");

Console.WriteLine();
Console.WriteLine("layer            batches  first mean/std   last mean/std   near zero first → last");
foreach (var layer in activations.Layers)
{
    var first = layer.Records[0];
    var last = layer.Records[^1];
    Console.WriteLine($"{layer.Name,-16} {layer.Records.Count,7}  {first.Mean,6:F3} / {first.Std,5:F3}  {last.Mean,6:F3} / {last.Std,5:F3}"
        + $"   {first.NearZeroFraction:P0} → {last.NearZeroFraction:P0}");
}

// Look at the pictures: with batch norm the means and stds should settle quickly instead of rising and crashing
// (the lesson's plain CNN did that), and the histograms should not pile up at zero.
foreach (var path in activations.WritePlots(outDir)) Console.WriteLine($"wrote {path}");
var early = Path.Combine(outDir, "activation-means-stds-first-30.png");
activations.PlotMeansAndStds(early, firstBatches: 30);
Console.WriteLine($"wrote {early}");
