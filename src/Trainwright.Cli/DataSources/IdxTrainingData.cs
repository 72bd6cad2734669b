using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Inference;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Metrics;
using static TorchSharp.torch;

namespace Trainwright.Cli.DataSources;

/// <summary>An IDX image set (<see cref="MnistData"/>) as <see cref="ITrainingData"/>.</summary>
internal sealed class IdxTrainingData : ITrainingData
{
    private readonly MnistData data;
    private readonly string? folder;

    public IdxTrainingData(MnistData data, string? folder, string sourceName)
    {
        this.data = data;
        this.folder = folder;
        var names = data.ClassLabels.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray();
        Shape = new DataShape(1, data.ImageShape.Height, data.ImageShape.Width, names);
        Metadata = new Dictionary<string, string> { [DataKeys.Source] = sourceName, [DataKeys.ClassNames] = DataKeys.EncodeNames(names) };
        var rare = Enumerable.Range(0, names.Length).Where(i => data.TrainClassCounts[i] < IdxFolderSource.RareClassExamples).ToList();
        Warnings = rare.Count == 0 ? [] :
        [
            $"{rare.Count} of {names.Length} classes have fewer than {IdxFolderSource.RareClassExamples} training examples "
            + $"({string.Join(", ", rare.Take(10).Select(i => $"label {names[i]}: {data.TrainClassCounts[i]}"))}{(rare.Count > 10 ? ", …" : "")}); "
            + "a stray or corrupt label? Check the label files.",
        ];
    }

    public DataShape Shape { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyList<string> Warnings { get; }

    public IDataset<(Tensor X, Tensor Y)> Test => data.Test;

    public string TestName => "test";

    public void CheckModel(ModelKind kind)
    {
        if (kind == ModelKind.Tabular)
            throw new CliException("--model tabular is for tables (--data FILE.csv); IDX images train mlp, cnn, resnet18 or resnet34.");
    }

    public nn.Module<Tensor, Tensor> CreateModel(ModelSpec spec) => spec.Build();

    public LossFunction Loss => LossFunctions.CrossEntropyLoss;

    public IReadOnlyList<Metric> Metrics { get; } = [ClassificationMetrics.Accuracy];

    // IDX items are flat float rows; image networks need them as [bs, C, H, W]. No augmentation: the lesson trains without.
    public IReadOnlyList<Callback> BatchCallbacks(ModelSpec spec, bool augment, int seed) =>
        spec.NeedsImages ? [BatchTransform.Reshape(spec.Channels, spec.Height, spec.Width)] : [];

    public IReadOnlyList<string> WriteRunFiles(string folder) => [];

    public DataBunch ToDataBunch(int batchSize, int workers, int seed) => data.ToDataBunch(batchSize, workers, seed);

    public ModelDescription DescribeModel(ModelSpec spec) => new(
        spec.Architecture() ?? throw new CliException($"The {Choices.Name(spec.Kind)} model does not train on IDX images."),
        // A CNN takes images [C, H, W] (the learner reshapes the flat rows for it); the MLP takes the flat rows.
        InputDescription.ForTensor(spec.NeedsImages ? [spec.Channels, spec.Height, spec.Width] : [(int)spec.Inputs],
            data.IsNormalized ? Normalization.Global(data.Mean, data.Std) : null),
        TargetDescription.Classes(Shape.ClassNames));

    public string Describe() =>
        $"{(folder is null ? "MNIST (bundled)" : $"'{folder}'")}: {data.TrainY.shape[0]} train, {data.ValidY.shape[0]} valid, "
        + $"{data.TestY.shape[0]} test, {data.ImageShape.Height}x{data.ImageShape.Width} images, {data.ClassCount} classes";

    public void Dispose() => data.Dispose();
}
