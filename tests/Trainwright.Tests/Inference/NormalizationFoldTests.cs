using System.Text.Json.Nodes;
using Trainwright.Inference;
using Trainwright.Models;
using Trainwright.Tests.Init;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Inference;

/// <summary>
/// The predictor folds the input normalisation into a first Linear or unpadded Conv2d. The folded path must give what
/// the model computes on input normalised the plain way ((x − mean) / std, then the model), and what the unfolded
/// predictor gives, to 1e-5; models where folding would be wrong (a padded first conv) are left unfolded.
/// </summary>
public class NormalizationFoldTests
{
    private const float Tolerance = 1e-5f;

    [Fact]
    public void AnMlpWithGlobalStatisticsIsFoldedAndPredictsWhatTheModelComputesOnNormalisedInput()
    {
        using var dir = new TempFolder();
        manual_seed(31);
        using var model = Mlp.Create(784, 30, 10);
        var description = new ModelDescription(ModelArchitecture.Mlp(784, 30, 10),
            InputDescription.ForTensor([784], Normalization.Global(MnistSlice.Mean, MnistSlice.Std)), TargetDescription.NumberedClasses(10));
        var path = dir.File("mlp.trainwright");
        ModelFile.Write(path, model, description);

        using var normalised = MnistSlice.Images(40).reshape(40, 784);
        using var raw = normalised.mul(MnistSlice.Std).add(MnistSlice.Mean);
        model.eval();
        float[] expected;
        using (no_grad())
        using (var y = model.call(normalised)) expected = y.data<float>().ToArray();
        Assert.True(expected.Max(Math.Abs) > 0.1f, "the reference must not be trivially zero");

        // Batches of 16 so the 40 items go through three forward passes.
        using var folded = Predictor.Load(path, options: new PredictorOptions { MaxBatchSize = 16 });
        using var plain = Predictor.Load(path, options: new PredictorOptions { FoldNormalization = false });
        Assert.True(folded.NormalizationFolded);
        Assert.False(plain.NormalizationFolded);
        var foldedOut = folded.Outputs(raw);
        var plainOut = plain.Outputs(raw);
        for (int i = 0; i < 40; i++)
            for (int c = 0; c < 10; c++)
            {
                Assert.Equal(expected[i * 10 + c], plainOut[i][c], Tolerance);
                Assert.Equal(expected[i * 10 + c], foldedOut[i][c], Tolerance);
            }

        // One item through Predict, and the probabilities: the softmax of the reference logits.
        using var item = raw[7];
        var single = folded.Predict(item);
        var reference = Softmax(expected.AsSpan(70, 10).ToArray());
        for (int c = 0; c < 10; c++) Assert.Equal(reference[c], single.Probabilities[c], Tolerance);
        Assert.Equal(Array.IndexOf(reference, reference.Max()), single.Index);
    }

    [Fact]
    public void PerFeatureStatisticsFoldIntoALinearAndByteInputIsConvertedTheSameWay()
    {
        using var dir = new TempFolder();
        manual_seed(32);
        using var model = Mlp.Create(6, 8, 3);
        var stats = new Normalization([10f, -2f, 0.5f, 100f, 0f, 7f], [2f, 0.25f, 1f, 30f, 5f, 0.5f]);
        var description = new ModelDescription(ModelArchitecture.Mlp(6, 8, 3), InputDescription.ForTensor([6], stats), TargetDescription.NumberedClasses(3));
        var path = dir.File("features.trainwright");
        ModelFile.Write(path, model, description);

        using var raw = randint(0, 200, [25, 6], dtype: ScalarType.Byte);
        using var rawFloat = raw.to_type(ScalarType.Float32);
        using var mean = tensor(stats.Mean.ToArray());
        using var std = tensor(stats.Std.ToArray());
        model.eval();
        float[] expected;
        using (no_grad())
        using (var normalised = rawFloat.sub(mean).div(std))
        using (var y = model.call(normalised)) expected = y.data<float>().ToArray();

        using var folded = Predictor.Load(path);
        using var plain = Predictor.Load(path, options: new PredictorOptions { FoldNormalization = false });
        Assert.True(folded.NormalizationFolded);
        var fromBytes = folded.Outputs(raw);
        var plainOut = plain.Outputs(raw);
        for (int i = 0; i < 25; i++)
            for (int c = 0; c < 3; c++)
            {
                // Raw values up to 200 and stds down to 0.25 make logits in the tens: a relative tolerance.
                float tol = Tolerance * Math.Max(1, Math.Abs(expected[i * 3 + c]));
                Assert.Equal(expected[i * 3 + c], fromBytes[i][c], tol);
                Assert.Equal(expected[i * 3 + c], plainOut[i][c], tol);
            }
    }

    [Fact]
    public void AnUnpaddedConvIsFoldedPerChannelAndAPaddedOneIsNot()
    {
        using var dir = new TempFolder();
        var registry = new ModelRegistry();
        registry.Register(ConvNet.Kind, s => ConvNet.Create(s["padding"]!.GetValue<int>()));
        var image = InputDescription.ForImages(3, 12, 12, new Normalization([0.5f, 0.4f, 0.3f], [0.2f, 0.25f, 0.3f]));
        using var raw = rand(9, 3, 12, 12);
        using var bytes = raw.mul(255).to_type(ScalarType.Byte);
        foreach (int padding in new[] { 0, 1 })
        {
            manual_seed(33);
            using var model = ConvNet.Create(padding);
            var path = dir.File($"conv{padding}.trainwright");
            ModelFile.Write(path, model, new ModelDescription(ConvNet.Architecture(padding), image, TargetDescription.NumberedClasses(4)), registry: registry);

            model.eval();
            float[] expected, expectedFromBytes;
            using (no_grad())
            using (var scope = NewDisposeScope())
            {
                expected = model.call(image.Image!.Normalize(raw)).data<float>().ToArray();
                expectedFromBytes = model.call(image.Image!.Normalize(bytes)).data<float>().ToArray();
            }
            Assert.True(expected.Max(Math.Abs) > 0.05f, "the reference must not be trivially zero");

            using var predictor = Predictor.Load(path, registry);
            Assert.Equal(padding == 0, predictor.NormalizationFolded);
            var outputs = predictor.Outputs(raw);
            var fromBytes = predictor.Outputs(bytes);
            for (int i = 0; i < 9; i++)
                for (int c = 0; c < 4; c++)
                {
                    Assert.Equal(expected[i * 4 + c], outputs[i][c], Tolerance);
                    Assert.Equal(expectedFromBytes[i * 4 + c], fromBytes[i][c], Tolerance);
                }
        }
    }

    [Fact]
    public void ExportOnnxStillSeesTheUnfoldedModel()
    {
        using var dir = new TempFolder();
        manual_seed(34);
        using var model = Mlp.Create(784, 20, 10);
        var path = dir.File("m.trainwright");
        ModelFile.Write(path, model, new ModelDescription(ModelArchitecture.Mlp(784, 20, 10),
            InputDescription.ForTensor([784], Normalization.Global(MnistSlice.Mean, MnistSlice.Std)), TargetDescription.NumberedClasses(10)));
        using var predictor = Predictor.Load(path);
        Assert.True(predictor.NormalizationFolded);
        var weight = predictor.WithModel(m => ((TorchSharp.Modules.Linear)m.named_children().First().module).weight.data<float>().ToArray());
        var original = ((TorchSharp.Modules.Linear)model.named_children().First().module).weight.data<float>().ToArray();
        Assert.Equal(original, weight);
    }

    [Fact]
    public void OptionsOutOfRangeAreRefusedNamingTheSetting()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PredictorOptions { MaxBatchSize = 0 }.Validate());
        Assert.Equal("MaxBatchSize", e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new PredictorOptions { DecodeThreads = PredictorOptions.MaxDecodeThreads + 1 }.Validate());
        Assert.Equal("DecodeThreads", e.ParamName);
        Assert.InRange(new PredictorOptions().DecodeThreads, 1, PredictorOptions.MaxDecodeThreads);
    }

    private static float[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = e.Sum();
        return [.. e.Select(v => (float)(v / sum))];
    }

    /// <summary>A conv first layer (stride 2, bias, padding as given), then ReLU, pooling and a head: 3×12×12 images, 4 classes.</summary>
    private static class ConvNet
    {
        public const string Kind = "test-fold-conv";

        public static nn.Module<Tensor, Tensor> Create(int padding) => nn.Sequential(
            ("conv", nn.Conv2d(3, 5, 3, stride: 2, padding: padding)),
            ("relu", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()),
            ("head", nn.Linear(5, 4)));

        public static ModelArchitecture Architecture(int padding) => ModelArchitecture.Custom(Kind, new JsonObject { ["padding"] = padding });
    }
}
