using Trainwright.Tests.Support;
using Trainwright.Inference;
using Trainwright.Models;
using Trainwright.Tests.Data;
using Trainwright.Tests.Init;
using static TorchSharp.torch;

namespace Trainwright.Tests.Inference;

public class ModelFileTests
{
    private static readonly Normalization MnistStats = Normalization.Global(MnistSlice.Mean, MnistSlice.Std);

    private static ModelDescription MlpDescription() => new(
        ModelArchitecture.Mlp(784, 30, 10), InputDescription.ForTensor([784], MnistStats), TargetDescription.NumberedClasses(10));

    [Fact]
    public void ALoadedCnnPredictsWhatTheTrainedModelComputes()
    {
        using var dir = new TempFolder();
        manual_seed(5);
        using var model = TrainedModels.WarmBatchNorm(Cnn.Create(1, 10, [(8, 2), (16, 2)]));
        var description = new ModelDescription(ModelArchitecture.Cnn(1, 10, [(8, 2), (16, 2)]),
            InputDescription.ForImages(1, 28, 28, MnistStats), TargetDescription.NumberedClasses(10));
        var path = dir.File("cnn.trainwright");
        ModelFile.Write(path, model, description, new Dictionary<string, string> { ["note"] = "test" });

        using var predictor = Predictor.Load(path);
        Assert.Equal("cnn", predictor.Manifest.Architecture.Kind);
        Assert.Equal(ModelFile.FormatVersion, predictor.Manifest.FormatVersion);
        Assert.Equal("test", predictor.Manifest.Metadata["note"]);
        Assert.Equal([1, 28, 28], predictor.Input.Shape);
        Assert.Equal(MnistSlice.Mean, predictor.Input.Normalize!.Mean[0]);

        using var normalised = MnistSlice.Images(20);
        using var raw = normalised.mul(MnistSlice.Std).add(MnistSlice.Mean); // back to [0, 1] intensities
        using var expected = model.call(normalised).softmax(1);
        var predictions = predictor.PredictBatch(raw);
        Assert.Equal(20, predictions.Count);
        var want = expected.data<float>().ToArray();
        for (int i = 0; i < 20; i++)
        {
            for (int c = 0; c < 10; c++) Assert.Equal(want[i * 10 + c], predictions[i].Probabilities[c], 1e-5f);
            int argmax = Enumerable.Range(0, 10).MaxBy(c => want[i * 10 + c]);
            Assert.Equal(argmax, predictions[i].Index);
            Assert.Equal(argmax.ToString(System.Globalization.CultureInfo.InvariantCulture), predictions[i].Label);
        }
        // One item alone gives the same answer as inside the batch.
        using var first = raw[0];
        var single = predictor.Predict(first);
        for (int c = 0; c < 10; c++) Assert.Equal(predictions[0].Probabilities[c], single.Probabilities[c], 1e-6f);
    }

    [Fact]
    public void ConcurrentCallersGetTheSameAnswersAsOneCaller()
    {
        using var dir = new TempFolder();
        manual_seed(6);
        using var model = Mlp.Create(784, 30, 10);
        var path = dir.File("mlp.trainwright");
        ModelFile.Write(path, model, MlpDescription());
        using var predictor = Predictor.Load(path);
        using var images = MnistSlice.Images(32).reshape(32, 784);
        // One item at a time, one caller: the reference (a batch may round differently in the last bit).
        var serial = new float[32][];
        for (int i = 0; i < 32; i++)
        {
            using var item = images[i];
            serial[i] = [.. predictor.Predict(item).Probabilities];
        }
        var parallel = new float[32][];
        Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            using var item = images[i];
            parallel[i] = [.. predictor.Predict(item).Probabilities];
        });
        for (int i = 0; i < 32; i++) Assert.Equal(serial[i], parallel[i]);
    }

    [Fact]
    public void ACustomModelNeedsItsFactoryRegistered()
    {
        using var dir = new TempFolder();
        var registry = new ModelRegistry();
        ResidualNet.Register(registry);
        using var model = ResidualNet.Create(4, 10);
        var path = dir.File("res.trainwright");
        var description = new ModelDescription(ResidualNet.Architecture(4, 10), InputDescription.ForTensor([1, 28, 28]), TargetDescription.NumberedClasses(10));
        ModelFile.Write(path, model, description, registry: registry);

        var e = Assert.Throws<ModelFileException>(() => Predictor.Load(path, new ModelRegistry()));
        Assert.Contains($"'{ResidualNet.Kind}', which is not registered", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);

        using var predictor = Predictor.Load(path, registry);
        model.eval();
        using var x = MnistSlice.Images(3);
        using var expected = model.call(x);
        var outputs = predictor.Outputs(x);
        var want = expected.data<float>().ToArray();
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < 10; c++) Assert.Equal(want[i * 10 + c], outputs[i][c], 1e-6f);
    }

    [Fact]
    public void ExportRefusesAnArchitectureThatIsNotTheModel()
    {
        using var dir = new TempFolder();
        using var model = Mlp.Create(784, 30, 10);
        var wrong = MlpDescription() with { Architecture = ModelArchitecture.Mlp(784, 50, 10) };
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Write(dir.File("m.trainwright"), model, wrong));
        Assert.Contains("differ from the model being exported", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void NewerDamagedForeignAndMissingFilesGiveOneClearLine()
    {
        using var dir = new TempFolder();
        using var model = Mlp.Create(784, 30, 10);
        var path = dir.File("m.trainwright");
        ModelFile.Write(path, model, MlpDescription());
        var good = File.ReadAllBytes(path);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind

        var newer = (byte[])good.Clone();
        BitConverter.GetBytes(ModelFile.FormatVersion + 1).CopyTo(newer, 8);
        File.WriteAllBytes(path, newer);
        AssertOneLine(path, $"format version {ModelFile.FormatVersion + 1}, newer than");

        var damaged = (byte[])good.Clone();
        damaged[good.Length - 100] ^= 0x40; // inside the weights
        File.WriteAllBytes(path, damaged);
        AssertOneLine(path, "is damaged: its checksum does not match");

        File.WriteAllBytes(path, good[..(good.Length / 2)]);
        AssertOneLine(path, "is damaged");

        File.WriteAllText(path, "hello");
        AssertOneLine(path, "is not a Trainwright model file");

        AssertOneLine(dir.File("absent.trainwright"), "does not exist");

        File.WriteAllBytes(path, good);
        using var ok = Predictor.Load(path);
        Assert.Equal(10, ok.Labels.Count);
    }

    [Fact]
    public void AWrongInputShapeIsNamed()
    {
        using var dir = new TempFolder();
        using var model = Mlp.Create(784, 30, 10);
        var path = dir.File("m.trainwright");
        ModelFile.Write(path, model, MlpDescription());
        using var predictor = Predictor.Load(path);
        using var wrong = zeros(28, 28);
        var e = Assert.Throws<ArgumentException>(() => predictor.Predict(wrong));
        Assert.StartsWith("Wrong input shape [28, 28]: the model takes items of shape [784]", e.Message, StringComparison.Ordinal);
        using var wrongBatch = zeros(4, 1, 28, 28);
        Assert.Throws<ArgumentException>(() => predictor.PredictBatch(wrongBatch));
    }

    [Fact]
    public void ARegressionModelPredictsItsRawOutputsAndExportLeavesTheRandomStreamAlone()
    {
        using var dir = new TempFolder();
        manual_seed(8);
        using var model = Mlp.Create(4, 8, 2);
        var description = new ModelDescription(ModelArchitecture.Mlp(4, 8, 2), InputDescription.ForTensor([4]), TargetDescription.Regression("x", "y"));
        manual_seed(9);
        ModelFile.Write(dir.File("r.trainwright"), model, description);
        using var afterExport = rand(3);
        manual_seed(9);
        using var untouched = rand(3);
        Assert.True(afterExport.allclose(untouched, rtol: 0, atol: 0), "export must not consume the global random stream");

        using var predictor = Predictor.Load(dir.File("r.trainwright"));
        using var x = randn(5, 4);
        model.eval();
        using var expected = model.call(x);
        var predictions = predictor.PredictBatch(x);
        var want = expected.data<float>().ToArray();
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(-1, predictions[i].Index);
            Assert.Empty(predictions[i].Probabilities);
            Assert.Equal(want[i * 2], predictions[i].Outputs[0], 1e-6f);
            Assert.Equal(want[i * 2 + 1], predictions[i].Outputs[1], 1e-6f);
        }
    }

    private static void AssertOneLine(string path, string expected)
    {
        var e = Assert.Throws<ModelFileException>(() => Predictor.Load(path));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
