// The shortest useful Trainwright program, the README's QuickStart: train a classifier on the bundled MNIST and plot
// what happened. The usings come from the package's (here: build/Trainwright.targets') global usings.
//
//   dotnet run -c Release --project examples/QuickStart

using var mnist = MnistData.Bundled();                       // 50,000 train / 10,000 valid images, normalised
var learner = new Learner(
    Mlp.Create(mnist.FeatureCount, 100, mnist.ClassCount),  // 784 → 100 → ReLU → 10
    mnist.ToDataBunch(batchSize: 128),
    LossFunctions.CrossEntropyLoss,
    Sgd.Factory(mom: 0.9),
    lr: 0.1);
learner.Add(StandardCallbacks.Classification());             // accuracy, a Recorder, a progress display

learner.FitOneCycle(epochs: 3, maxLr: 0.3);                 // lr warms up then anneals; momentum does the opposite

learner.Get<Recorder>().PlotLoss("loss.png");
learner.Get<Recorder>().PlotLr("lr.png");
Console.WriteLine($"valid accuracy {learner.Get<AvgStats>().Valid!.Metrics["accuracy"]:P2}; plots in {Environment.CurrentDirectory}");
