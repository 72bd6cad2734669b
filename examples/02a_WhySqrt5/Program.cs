// Notebook 02a ("why sqrt(5)?"): what PyTorch's default init does to a convnet, and what fixes it.
//
// PyTorch initialises conv and linear weights with kaiming_uniform_(a=√5). Kaiming init is designed so that each layer
// keeps its output's std near 1; the "a" is the slope of a leaky ReLU's negative part, and a = √5 is not a ReLU anyone
// uses. The lesson measured what it actually does: the std shrinks layer after layer (and so do the gradients), which
// is exactly what a good init is supposed to prevent. Kaiming with a = 0 (the right gain for ReLU) keeps it near 1.
// InitStudy runs the lesson's three experiments and InitStudyReport prints them with the lesson's figures beside ours.
//
//   dotnet run -c Release --project examples/02a_WhySqrt5 [-- --out DIR]

using System.Globalization;
using Trainwright.Data;
using Trainwright.Diagnostics;
using Trainwright.Examples;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var outDir = ExampleArgs.OutputFolder(args, "02a_WhySqrt5");

// The lesson uses the first 100 validation images, normalised with the training set's mean and std, shaped as
// [batch, channel, height, width] for convolutions, and the digit labels as (regression) targets for an MSE backward.
using var mnist = MnistData.Bundled(new MnistOptions { MaxValidItems = 100 });
using var images = mnist.ValidX.view(-1, 1, mnist.ImageShape.Height, mnist.ImageShape.Width);
var result = InitStudy.Run(images, mnist.ValidY, seed: 42);

// (a) One Conv2d(1, 32, 5): the default init gives an output std well below 1; Kaiming (a = 0) gives about 1 after ReLU.
// (b) A 4-layer convnet: under the default init the output std and the first layer's gradient std are tiny, so the
//     first layers barely learn; Kaiming uniform brings both back to a usable scale.
// (c) Why scale at all: multiplying a vector by a random matrix 100 times explodes (std 1) or vanishes (std 0.01);
//     scaling the weights by 1/√n keeps the statistics steady. That 1/√n (times a gain for the nonlinearity) is Kaiming.
Console.WriteLine(InitStudyReport.ToMarkdown(result));
foreach (var path in InitStudyReport.WriteCharts(result, outDir)) Console.WriteLine($"wrote {path}");
