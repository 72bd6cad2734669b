using Trainwright.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Trainwright.Export.Onnx;
using Trainwright.Inference;
using Trainwright.Models;
using Trainwright.Tests.Data;
using Trainwright.Tests.Inference;
using Trainwright.Tests.Init;
using static TorchSharp.torch;

namespace Trainwright.Tests.Export;

/// <summary>Exported graphs run in ONNX Runtime must give TorchSharp's eval outputs on real MNIST images.</summary>
public class OnnxExportTests
{
    private const float Tolerance = 1e-5f;
    private static readonly Normalization MnistStats = Normalization.Global(MnistSlice.Mean, MnistSlice.Std);

    [Fact]
    public void MlpMatchesTorchSharpAtBatch1And64()
    {
        manual_seed(11);
        using var model = Mlp.Create(784, 50, 10);
        var description = new ModelDescription(ModelArchitecture.Mlp(784, 50, 10), InputDescription.ForTensor([784], MnistStats), TargetDescription.NumberedClasses(10));
        AssertMatches(model, description, flat: true);
    }

    [Fact]
    public void CnnMatchesTorchSharpAtBatch1And64()
    {
        manual_seed(12);
        using var model = TrainedModels.WarmBatchNorm(Cnn.Create(1, 10));
        var description = new ModelDescription(ModelArchitecture.Cnn(1, 10), InputDescription.ForImages(1, 28, 28, MnistStats), TargetDescription.NumberedClasses(10));
        AssertMatches(model, description, flat: false);
    }

    [Fact]
    public void FastCnnMatchesTorchSharpAtBatch1And64()
    {
        manual_seed(15);
        using var model = TrainedModels.WarmBatchNorm(FastCnn.Create(1, 10));
        var description = new ModelDescription(ModelArchitecture.FastCnn(1, 10), InputDescription.ForImages(1, 28, 28, MnistStats), TargetDescription.NumberedClasses(10));
        AssertMatches(model, description, flat: false);
    }

    [Fact]
    public void ResidualNetworkFromExportableBlocksMatchesTorchSharp()
    {
        manual_seed(13);
        using var model = TrainedModels.WarmBatchNorm(ResidualNet.Create(8, 10));
        var description = new ModelDescription(ResidualNet.Architecture(8, 10), InputDescription.ForImages(1, 28, 28, MnistStats), TargetDescription.NumberedClasses(10));
        AssertMatches(model, description, flat: false);
    }

    [Fact]
    public void EveryGeneralLayerTypeMatchesTorchSharp()
    {
        manual_seed(14);
        using var model = TrainedModels.WarmBatchNorm(nn.Sequential(
            ("conv", nn.Conv2d(1, 8, 5, stride: 2, padding: 2)),
            ("bn", nn.BatchNorm2d(8)),
            ("leaky", nn.LeakyReLU(0.1)),
            ("grouped", nn.Conv2d(8, 8, 3, padding: 2, dilation: 2, groups: 4)),
            ("gelu", nn.GELU()),
            ("maxpool", nn.MaxPool2d(3, stride: 1, padding: 1)),
            ("avgpool", nn.AvgPool2d(2)),
            ("adaptive", nn.AdaptiveAvgPool2d(new long[] { 7, 7 })),
            ("dropout", nn.Dropout(0.5)),
            ("gelu_tanh", nn.GELU(TorchSharp.Modules.GELU.Approximate.tanh)),
            ("flatten", nn.Flatten()),
            ("lin", nn.Linear(8 * 7 * 7, 16)),
            ("bn1d", nn.BatchNorm1d(16)),
            ("relu", nn.ReLU()),
            ("head", nn.Linear(16, 10))));
        var description = new ModelDescription(ModelArchitecture.Custom("zoo"), InputDescription.ForImages(1, 28, 28, MnistStats), TargetDescription.NumberedClasses(10));
        AssertMatches(model, description, flat: false);
    }

    [Fact]
    public void PredictorExportGivesThePredictorsOutputsForRawPixels()
    {
        using var dir = new TempFolder();
        manual_seed(15);
        using var model = Mlp.Create(784, 20, 10);
        var description = new ModelDescription(ModelArchitecture.Mlp(784, 20, 10), InputDescription.ForTensor([784], MnistStats), TargetDescription.NumberedClasses(10));
        ModelFile.Write(dir.File("m.trainwright"), model, description);
        using var predictor = Predictor.Load(dir.File("m.trainwright"));
        predictor.ExportOnnx(dir.File("m.onnx"));

        using var raw = MnistSlice.Images(8).mul(MnistSlice.Std).add(MnistSlice.Mean).reshape(8, 784);
        var expected = predictor.Outputs(raw);
        using var session = new InferenceSession(dir.File("m.onnx"));
        var actual = Run(session, raw);
        for (int i = 0; i < 8; i++)
            for (int c = 0; c < 10; c++) Assert.InRange(Math.Abs(expected[i][c] - actual[i * 10 + c]), 0, Tolerance);
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("true", meta[OnnxExporter.NormalizationInGraphKey]);
        Assert.Contains("\"classification\"", meta[OnnxExporter.TargetMetadataKey], StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownLayerFailsWithOneLineAndWritesNothing()
    {
        using var dir = new TempFolder();
        using var model = nn.Sequential(("lin", nn.Linear(784, 10)), ("squash", nn.Tanh()));
        var description = new ModelDescription(ModelArchitecture.Custom("x"), InputDescription.ForTensor([784]), TargetDescription.NumberedClasses(10));
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(dir.File("m.onnx"), model, description));
        Assert.StartsWith("Cannot export module 'squash' of type TorchSharp.Modules.Tanh", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    private static void AssertMatches(nn.Module<Tensor, Tensor> model, ModelDescription description, bool flat)
    {
        model.eval();
        // Normalisation outside the graph: ONNX and TorchSharp both get the normalised images.
        var bytes = OnnxExporter.ToBytes(model, description, new OnnxExportOptions { IncludeNormalization = false });
        using var session = new InferenceSession(bytes);
        Assert.Equal(17, ModelOpset(bytes));
        foreach (int batch in new[] { 1, 64 })
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = MnistSlice.Images(batch);
            if (flat) x = x.reshape(batch, 784);
            var expected = model.call(x).data<float>().ToArray();
            var actual = Run(session, x);
            Assert.Equal(expected.Length, actual.Length);
            float worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= Tolerance, $"batch {batch}: max abs difference {worst} > {Tolerance}");
            Assert.True(expected.Select(Math.Abs).Max() > 0.01f, "outputs should not be trivially zero");
        }
    }

    private static float[] Run(InferenceSession session, Tensor x)
    {
        var data = x.contiguous().data<float>().ToArray();
        var input = new DenseTensor(data, [.. x.shape.Select(d => (int)d)]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        return [.. results.Single(r => r.Name == "output").AsEnumerable<float>()];
    }

    private static long ModelOpset(byte[] bytes) => global::Onnx.ModelProto.Parser.ParseFrom(bytes).OpsetImport.Single(o => o.Domain.Length == 0).Version;
}
