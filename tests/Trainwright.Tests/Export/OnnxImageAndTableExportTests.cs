using Microsoft.ML.OnnxRuntime;
using Trainwright.Data.Images;
using Trainwright.Data.Tables;
using Trainwright.Examples.OnnxInference;
using Trainwright.Export.Onnx;
using Trainwright.Inference;
using Trainwright.Models;
using Trainwright.Tests.Images;
using Trainwright.Tests.Inference;
using Trainwright.Tests.Init;
using Trainwright.Tests.Support;
using Trainwright.Tests.Tables;
using static TorchSharp.torch;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace Trainwright.Tests.Export;

/// <summary>
/// XResNet and the tabular model in ONNX Runtime against TorchSharp (1e-5 max abs, batch 1 and 64), and the ONNX example's
/// image preprocessing against the images library's.
/// </summary>
public class OnnxImageAndTableExportTests
{
    private const float Tolerance = 1e-5f;

    /// <summary>The first 64 MNIST test digits as PNG files' bytes.</summary>
    private static byte[][] MnistPngs() => [.. ImageFiles.Mnist(64).Images.Select(p => ImageFiles.Encode(p, 28, 28, 1))];

    [Fact]
    public void XResNetMatchesTorchSharpOnMnistResizedByTheImagesLibrary()
    {
        // MNIST digits resized 28 → 32 by ImagePreprocessing, as an image-folder model sees them.
        var preprocessing = new ImagePreprocessing(32, ResizeMethod.Squish, 1, [MnistSlice.Mean], [MnistSlice.Std]);
        using var x = cat([.. MnistPngs().Select(b => preprocessing.ToModelInput(b, "digit"))], 0);
        manual_seed(41);
        using var model = XResNet.Create(1, 10, depth: 18, width: 0.125);
        Warm(model, x);
        var description = new ModelDescription(ModelArchitecture.XResNet(1, 10, 18, 0.125), InputDescription.ForImages(preprocessing), TargetDescription.NumberedClasses(10));
        AssertMatches(model, description, x);
    }

    [Fact]
    public void TabularClassifierMatchesTorchSharp()
    {
        using var files = new CsvFiles();
        using var data = TabularData.Load(files.Classification(400, seed: 6), new TabularOptions { Target = "y" });
        var settings = data.ModelSettings() with { Layers = [16, 8], Dropouts = [0.3, 0.3], EmbeddingDropout = 0.2 };
        manual_seed(42);
        using var model = new TabularModel(settings);
        Warm(model, data.TrainX);
        Assert.True(data.ValidX.size(0) >= 64);
        AssertMatches(model, ModelDescription.ForTable(data, settings), data.ValidX);
    }

    [Fact]
    public void TabularRegressorWithAYRangeMatchesTorchSharp()
    {
        using var files = new CsvFiles();
        using var data = TabularData.Load(files.Regression(400, seed: 7), new TabularOptions { Target = "y" });
        var settings = data.ModelSettings() with { Layers = [12], YRange = new YRange(-2.5, 3.0), BatchNormContinuous = true };
        manual_seed(43);
        using var model = new TabularModel(settings);
        Warm(model, data.TrainX);
        AssertMatches(model, ModelDescription.ForTable(data, settings), data.ValidX);
    }

    [Fact]
    public void TheOnnxExamplePreprocessesImagesAsTheImagesLibrary()
    {
        var rng = new Random(5);
        int checkedImages = 0;
        foreach (var (w, h) in new[] { (37, 23), (20, 45), (32, 32) })
        {
            var rgb = GeneratedImageFolder.Pixels(rng, w, h, rng.Next(2));
            foreach (var format in new[] { SkiaSharp.SKEncodedImageFormat.Png, SkiaSharp.SKEncodedImageFormat.Jpeg })
            {
                var bytes = ImageFiles.Encode(rgb, w, h, 3, format);
                foreach (var resize in Enum.GetValues<ResizeMethod>())
                    foreach (int channels in new[] { 1, 3 })
                    {
                        float[] mean = channels == 1 ? [0.45f] : [0.4f, 0.5f, 0.6f], std = channels == 1 ? [0.22f] : [0.2f, 0.25f, 0.3f];
                        var p = new ImagePreprocessing(24, resize, channels, mean, std);
                        using var expected = p.ToModelInput(bytes, "generated");
                        var want = expected.data<float>().ToArray();
                        var got = ImageInput.Prepare(bytes, 24, resize.ToString().ToLowerInvariant(), channels, mean, std);
                        Assert.Equal(want.Length, got.Length);
                        float worst = want.Zip(got, (a, b) => Math.Abs(a - b)).Max();
                        Assert.True(worst <= 1e-6f, $"{w}x{h} {format} {resize} {channels}ch: max abs difference {worst}");
                        checkedImages++;
                    }
            }
        }
        Assert.Equal(36, checkedImages);
    }

    [Fact]
    public void AnImageModelsOnnxFileGivesThePredictorsOutputsForAFilePreparedByTheExample()
    {
        using var dir = new TempFolder();
        var preprocessing = new ImagePreprocessing(32, ResizeMethod.Pad, 3, [0.4f, 0.5f, 0.6f], [0.2f, 0.25f, 0.3f]);
        manual_seed(44);
        using var model = XResNet.Create(3, 2, 18, 0.125);
        var description = new ModelDescription(ModelArchitecture.XResNet(3, 2, 18, 0.125), InputDescription.ForImages(preprocessing), TargetDescription.Classes(["dark", "light"]));
        ModelFile.Write(dir.File("m.trainwright"), model, description);
        using var predictor = Predictor.Load(dir.File("m.trainwright"));
        predictor.ExportOnnx(dir.File("m.onnx")); // normalisation in the graph: the example feeds [0, 1] values
        using var session = new InferenceSession(dir.File("m.onnx"));
        Assert.Equal("true", session.ModelMetadata.CustomMetadataMap[OnnxExporter.NormalizationInGraphKey]);
        Assert.Contains("\"resize\": \"pad\"", session.ModelMetadata.CustomMetadataMap[OnnxExporter.InputMetadataKey], StringComparison.Ordinal);
        var bytes = ImageFiles.Encode(GeneratedImageFolder.Pixels(new Random(3), 40, 26, 1), 40, 26, 3);
        var want = predictor.Predict(bytes, "x.png").Outputs;
        var pixels = ImageInput.Prepare(bytes, 32, "pad", 3, null, null);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor(pixels, [1, 3, 32, 32]))]);
        var got = results.Single().AsEnumerable<float>().ToArray();
        Assert.True(want.Zip(got, (a, b) => Math.Abs(a - b)).Max() <= Tolerance);
    }

    /// <summary>Gives batch norms non-trivial running statistics and affine parameters, then eval mode.</summary>
    private static void Warm(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var g = new Generator(9);
        foreach (var (_, m) in model.named_modules())
            if (m is TorchSharp.Modules.BatchNorm bn)
            {
                bn.weight!.uniform_(0.5, 1.5, g);
                bn.bias!.uniform_(-0.3, 0.3, g);
            }
        model.train();
        for (int i = 0; i < 3; i++) model.call(x);
        model.eval();
    }

    private static void AssertMatches(nn.Module<Tensor, Tensor> model, ModelDescription description, Tensor inputs)
    {
        model.eval();
        var bytes = OnnxExporter.ToBytes(model, description, new OnnxExportOptions { IncludeNormalization = false });
        using var session = new InferenceSession(bytes);
        foreach (int batch in new[] { 1, 64 })
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = inputs.narrow(0, 0, batch).contiguous();
            var expected = model.call(x).data<float>().ToArray();
            var onnxInput = new DenseTensor(x.data<float>().ToArray(), [.. x.shape.Select(d => (int)d)]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", onnxInput)]);
            var actual = results.Single(r => r.Name == "output").AsEnumerable<float>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            float worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= Tolerance, $"batch {batch}: max abs difference {worst} > {Tolerance}");
            Assert.True(expected.Select(Math.Abs).Max() > 0.01f, "outputs should not be trivially zero");
        }
    }
}
