using SkiaSharp;
using Trainwright.Augment;
using Trainwright.Data.Images;
using Trainwright.Inference;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Inference;

/// <summary>An xresnet trained on an image folder, exported and loaded, predicts files exactly as the learner's model computes.</summary>
public class ImageModelPredictionTests
{
    private const float Tolerance = 1e-5f;

    [Fact]
    public void ExportedXResNetPredictsImageFilesAsTheLearnersModel()
    {
        using var folder = new GeneratedImageFolder();
        using var data = ImageFolderData.Load(folder.Root, new ImageFolderOptions { Size = 32, Resize = ResizeMethod.Crop, UseCache = false, DecodeWorkers = 0 });
        Assert.Equal((3, 32, 8), (data.Channels, data.Size, data.ValidCount));
        manual_seed(21);
        var architecture = ModelArchitecture.XResNet(data.Channels, data.C, depth: 18, width: 0.125);
        var learner = new Learner(XResNet.Create(data.Channels, data.C, 18, 0.125), data.ToDataBunch(8, seed: 1),
            LossFunctions.CrossEntropyLoss, Adam.Factory(), 1e-3, [.. ImageBatches.Callbacks(data, AugmentOptions.None)]);
        learner.FitOneCycle(1, 1e-2);
        var path = folder.File("xresnet.trainwright");
        learner.Export(path, ModelDescription.ForImages(data, architecture));

        // The file holds the images library's preprocessing itself.
        var manifest = ModelFile.ReadManifest(path);
        Assert.Equal(InputKind.Image, manifest.Input.Kind);
        Assert.Equal((32, ResizeMethod.Crop, 3), (manifest.Input.Image!.Size, manifest.Input.Image.Resize, manifest.Input.Image.Channels));
        Assert.Equal(data.Preprocessing.Mean, manifest.Input.Image.Mean);
        Assert.Equal(data.Preprocessing.Std, manifest.Input.Image.Std);
        Assert.Equal(["dark", "light"], manifest.Target.Names);

        // Reference: the learner's model in eval mode on the pixels training decoded (its valid split), normalised as the
        // NormalizeImages callback does. Each file is matched to its row, which shows training saw the very pixels that
        // prediction decodes.
        var model = learner.Model;
        model.eval();
        var expected = new float[folder.ValidFiles.Count][];
        using (var scope = NewDisposeScope())
        using (var noGrad = no_grad())
        {
            var validX = data.Valid.X;
            for (int f = 0; f < folder.ValidFiles.Count; f++)
            {
                var decoded = data.Preprocessing.DecodeFile(folder.ValidFiles[f]);
                int row = Enumerable.Range(0, data.ValidCount).Single(r => validX[r].Equals(decoded));
                expected[f] = model.call(data.Preprocessing.Normalize(validX[row].unsqueeze(0))).data<float>().ToArray();
            }
        }
        Assert.Contains(expected, e => e.Select(Math.Abs).Max() > 1e-3f);

        using var predictor = Predictor.Load(path);
        var batch = predictor.PredictFiles(folder.ValidFiles);
        Assert.Equal(folder.ValidFiles, batch.Select(b => b.Path));
        for (int f = 0; f < expected.Length; f++)
        {
            var p = batch[f].Prediction!;
            AssertClose(expected[f], p.Outputs, $"file {f}");
            var probs = Softmax(expected[f]);
            AssertClose(probs, p.Probabilities, $"file {f} probabilities");
            Assert.Equal(data.ClassNames[Array.IndexOf(probs, probs.Max())], p.Label);
        }
        // One file, one in-memory image and the batch agree.
        var single = predictor.Predict(folder.ValidFiles[3]);
        AssertClose(expected[3], single.Outputs, "single file");
        var fromBytes = predictor.Predict(File.ReadAllBytes(folder.ValidFiles[5]), "upload.png");
        AssertClose(expected[5], fromBytes.Outputs, "bytes");
        var many = predictor.PredictImages([.. folder.ValidFiles.Select(File.ReadAllBytes)]);
        for (int f = 0; f < expected.Length; f++) AssertClose(expected[f], many[f].Outputs, $"bytes batch {f}");
        // Forwards of 3 files decoded on one thread: the same answers, in order.
        using var small = Predictor.Load(path, options: new PredictorOptions { MaxBatchSize = 3, DecodeThreads = 1 });
        var chunked = small.PredictFiles(folder.ValidFiles);
        Assert.Equal(folder.ValidFiles, chunked.Select(b => b.Path));
        for (int f = 0; f < expected.Length; f++) AssertClose(expected[f], chunked[f].Prediction!.Outputs, $"file {f} in forwards of 3");
    }

    [Fact]
    public void BadFilesInABatchGetOneLineEachAndTheRestArePredicted()
    {
        using var folder = new GeneratedImageFolder(trainPerClass: 3, validPerClass: 2);
        using var data = ImageFolderData.Load(folder.Root, new ImageFolderOptions { Size = 16, UseCache = false, DecodeWorkers = 0 });
        manual_seed(22);
        using var model = XResNet.Create(3, 2, 18, 0.125);
        var path = folder.File("m.trainwright");
        ModelFile.Write(path, model, ModelDescription.ForImages(data, ModelArchitecture.XResNet(3, 2, 18, 0.125)));
        var broken = folder.File("broken.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var missing = folder.File("missing.png");

        using var predictor = Predictor.Load(path);
        var results = predictor.PredictFiles([folder.ValidFiles[0], broken, missing, folder.ValidFiles[1]]);
        Assert.Equal([true, false, false, true], results.Select(r => r.Succeeded));
        foreach (var r in results.Where(r => !r.Succeeded))
        {
            Assert.Contains(Path.GetFileName(r.Path), r.Error, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', r.Error!);
        }
        var e = Assert.Throws<ImageDataException>(() => predictor.Predict(broken));
        Assert.DoesNotContain('\n', e.Message);
        var notTable = Assert.Throws<InvalidOperationException>(() => predictor.PredictTable(folder.File("x.csv")));
        Assert.Equal("This model takes image input, not table rows.", notTable.Message);
    }

    [Fact]
    public void TopLossesGridShowsTheWorstItemsFirst()
    {
        using var folder = new GeneratedImageFolder(trainPerClass: 2, validPerClass: 4);
        using var data = ImageFolderData.Load(folder.Root, new ImageFolderOptions { Size = 32, UseCache = false, DecodeWorkers = 0 });
        manual_seed(23);
        using var model = XResNet.Create(3, 2, 18, 0.125);
        var path = folder.File("m.trainwright");
        ModelFile.Write(path, model, ModelDescription.ForImages(data, ModelArchitecture.XResNet(3, 2, 18, 0.125)));
        using var predictor = Predictor.Load(path);
        // Raw uint8 images straight from the data go through the same ImagePreprocessing.Normalize.
        var report = Interpretation.Evaluate(predictor, data.Valid.X, data.Valid.Y.data<long>().ToArray(), topLosses: 6);
        Assert.Equal(6, report.TopLosses.Count);
        Assert.True(report.TopLosses.Zip(report.TopLosses.Skip(1)).All(p => p.First.Loss >= p.Second.Loss));

        var png = folder.File("out", EvaluationWriter.TopLossesFileName);
        EvaluationWriter.WriteTopLossesPng(report, data.Valid.X, png, columns: 3, cellSize: 64);
        using var image = SKBitmap.Decode(png);
        // ImageGrid's layout: cells of (64 + 2·4) × (64 + 20 + 2·4) pixels, 3 columns, 2 rows.
        Assert.Equal((3 * 72, 2 * 92), (image.Width, image.Height));
        // The first cell shows the worst item, scaled ×2 by nearest neighbour: its top-left pixel is the image's.
        using var first = data.Valid.X[report.TopLosses[0].Item];
        var rgb = first.data<byte>().ToArray();
        var shown = image.GetPixel(5, 5);
        Assert.Equal((rgb[0], rgb[32 * 32], rgb[2 * 32 * 32]), (shown.Red, shown.Green, shown.Blue));
        Assert.Throws<ArgumentException>(() => EvaluationWriter.WriteTopLossesPng(report, data.Valid.X.narrow(0, 0, 1), png));
    }

    private static float[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = e.Sum();
        return [.. e.Select(v => (float)(v / sum))];
    }

    private static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        float worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= Tolerance, $"{what}: max abs difference {worst} > {Tolerance}");
    }
}
