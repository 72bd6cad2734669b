// Training on a folder of images, the library route.
//
// Point it at your photos (ROOT/<class>/…, ROOT/train|valid/<class>/…, or ROOT/labels.csv with path,label); without
// --data it writes 2,000 bundled MNIST digits as PNG files in class folders and trains on those. The folder is read
// once (decoded, resized and cached; the next run maps the cache), a grid of augmented training images is drawn, an
// xresnet18 is trained, and one image file is classified through the same preprocessing training used.
//
//   dotnet run -c Release --project examples/07_ImageFolder [-- --data DIR --epochs 2 --out DIR]

using System.Globalization;
using Trainwright.Augment;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Data.Images;
using Trainwright.Examples;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using SkiaSharp;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var outDir = ExampleArgs.OutputFolder(args, "07_ImageFolder");
int epochs = ExampleArgs.Int(args, "--epochs", 2);
int at = Array.IndexOf(args, "--data");
string root = at >= 0 && at + 1 < args.Length ? args[at + 1] : WriteDigits(Path.Combine(outDir, "digits"), 2000);

// 1. Read the folder: layout, classes and splits are detected; progress is ours to show.
var options = new ImageFolderOptions
{
    Progress = new Progress<ImageLoadProgress>(p => Console.Write($"\r{p.Phase}: {p.Done}/{p.Total} ({p.ImagesPerSecond:0} images/s)   ")),
};
using var data = ImageFolderData.Load(root, options);
Console.WriteLine();
Console.WriteLine(data.Describe());
Console.WriteLine($"Preprocessing: {data.Preprocessing}{(data.FromCache ? " (from the decode cache)" : "")}");

// 2. Look at what the model will see: augmented training images with their labels. Digits must not be mirrored.
var augment = root.EndsWith("digits", StringComparison.Ordinal) ? AugmentOptions.Light with { FlipHorizontal = 0 } : AugmentOptions.Default;
var grid = Path.Combine(outDir, "batch.png");
BatchPreview.Save(data, grid, augment, count: 16, seed: 1);
Console.WriteLine($"Augmented training images: {grid}");

// 3. Train an xresnet18 (a quarter of the usual width suits a CPU). Batches arrive as bytes; the callbacks augment the
//    training batches and normalise every batch with the training split's statistics.
manual_seed(42);
var model = XResNet.XResNet18(data.Channels, data.C, width: 0.25);
var learner = new Learner(model, data.ToDataBunch(batchSize: 64, seed: 42), LossFunctions.CrossEntropyLoss, Adam.Factory(), 1e-3);
foreach (var callback in ImageBatches.Callbacks(data, augment, seed: 42)) learner.Add(callback);
learner.Add(StandardCallbacks.Classification());
learner.FitOneCycle(epochs, maxLr: 1e-2);

// 4. Classify one file the way a predictor would: the same decode, resize and normalisation as training.
var file = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories).First(ImageDecoder.IsImageFile);
model.eval();
using (no_grad())
using (var input = data.Preprocessing.ToModelInput(file))
using (var scores = model.call(input))
{
    int predicted = (int)scores.argmax(1).item<long>();
    Console.WriteLine($"{Path.GetRelativePath(root, file)} → {data.ClassNames[predicted]}");
}

// Bundled MNIST test digits as PNG files in folders "0".."9".
static string WriteDigits(string folder, int count)
{
    var mnist = MnistData.FindBundledDirectory() ?? throw new DirectoryNotFoundException("The bundled data/mnist folder was not found.");
    var images = (byte[])IdxReader.Read(Path.Combine(mnist, MnistData.TestImagesName + ".gz")).Values;
    var labels = (byte[])IdxReader.Read(Path.Combine(mnist, MnistData.TestLabelsName + ".gz")).Values;
    for (int i = 0; i < count; i++)
    {
        var path = Path.Combine(folder, labels[i].ToString(CultureInfo.InvariantCulture), $"{i:0000}.png");
        if (File.Exists(path)) continue;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque));
        images.AsSpan(i * 784, 784).CopyTo(bitmap.GetPixelSpan());
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
    }
    return folder;
}
