// Train → export → load → predict → ONNX, with the library:
//   dotnet run -c Release --project examples/ExportModel -- [--epochs N] [--out DIR]
// then, without Trainwright:
//   dotnet run -c Release --project examples/OnnxInference -- DIR/mnist-mlp.onnx data/mnist/t10k-images-idx3-ubyte.gz 0
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Examples;
using Trainwright.Inference;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;

var outDir = ExampleArgs.OutputFolder(args, "ExportModel");
int epochs = ExampleArgs.Int(args, "--epochs", 1);

using var mnist = MnistData.Bundled();
var learner = new Learner(Mlp.Create(mnist.FeatureCount, 50, mnist.ClassCount), mnist.ToDataBunch(batchSize: 64),
    LossFunctions.CrossEntropyLoss, Sgd.Factory(mom: 0.9), lr: 0.1);
learner.Add(StandardCallbacks.Classification());
learner.FitOneCycle(epochs, maxLr: 0.1);

// The model as data: which built-in model, what it takes (784 values in [0, 1], normalised with the training
// statistics) and what its outputs mean. ModelDescription.ForImages(imageFolderData, …) and ForTable(tabularData, …)
// do the same for image folders and tables, storing their preprocessing.
var description = ModelDescription.ForIdx(mnist, ModelArchitecture.Mlp(mnist.FeatureCount, 50, mnist.ClassCount));
var modelPath = Path.Combine(outDir, "mnist-mlp" + ModelFile.Extension);
learner.Export(modelPath, description);

// Anywhere else: load without training code, and predict from raw pixels in [0, 1].
using var predictor = Predictor.Load(modelPath);
using var raw = mnist.TestX[..5].mul(mnist.Std).add(mnist.Mean); // the bundled data is normalised: undo it
foreach (var (p, i) in predictor.PredictBatch(raw).Select((p, i) => (p, i)))
    Console.WriteLine($"test item {i}: {p.Label} (p = {p.Probability:0.000}), actual {mnist.TestY[i].item<long>()}");

var onnxPath = Path.Combine(outDir, "mnist-mlp.onnx");
predictor.ExportOnnx(onnxPath);
var report = Interpretation.Evaluate(predictor, mnist.TestX.mul(mnist.Std).add(mnist.Mean), mnist.TestY.data<long>().ToArray());
EvaluationWriter.WriteAll(report, outDir);
learner.Get<Recorder>().PlotLoss(Path.Combine(outDir, "loss.png"));
Console.WriteLine($"test accuracy {report.Accuracy:0.0000}, macro F1 {report.Macro.F1:0.0000}");
Console.WriteLine($"Wrote {modelPath}, {onnxPath}, evaluation.md/.json, confusion-matrix.png and loss.png in {outDir}");
