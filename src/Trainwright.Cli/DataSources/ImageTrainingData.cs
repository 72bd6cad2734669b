using Trainwright.Inference;
using Trainwright.Augment;
using Trainwright.Callbacks;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Data.Images;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Metrics;
using static TorchSharp.torch;

namespace Trainwright.Cli.DataSources;

/// <summary>An image folder (<see cref="ImageFolderData"/>) as <see cref="ITrainingData"/>.</summary>
internal sealed class ImageTrainingData : ITrainingData
{
    private readonly TensorPairDataset valid, test;
    private readonly int? maxItems;

    /// <param name="data">The loaded folder (owned from here on).</param>
    /// <param name="request">What was asked: max items, fixed class names, the augmentation preset.</param>
    /// <param name="sourceName">The source's name for <see cref="DataKeys.Source"/>.</param>
    /// <param name="trained">The preprocessing a checkpoint recorded: batches are normalised with its statistics, not this folder's.</param>
    /// <exception cref="CliException">The folder's classes differ from the checkpoint's, or exceed --max-classes.</exception>
    public ImageTrainingData(ImageFolderData data, DataRequest request, string sourceName, ImagePreprocessing? trained)
    {
        Images = data;
        Augment = request.Settings.Augment;
        Preprocessing = trained ?? data.Preprocessing;
        if (data.C > request.MaxClasses)
            throw new CliException($"'{data.Root}' has {data.C} classes, more than --max-classes {request.MaxClasses}; raise --max-classes if that is right.");
        if (request.ClassNames is { } names && !names.SequenceEqual(data.ClassNames, StringComparer.Ordinal))
            throw new CliException(
                $"'{data.Root}' has the classes {Show(data.ClassNames)} but the checkpoint was trained on {Show(names)}; "
                + "use an image folder with the same class folders.");
        int n = request.MaxItems ?? int.MaxValue;
        maxItems = request.MaxItems;
        valid = First(data.Valid, n);
        var evaluation = data.Test ?? data.Valid;
        TestName = data.Test is null ? "validation" : "test";
        test = First(evaluation, n);
        Shape = new DataShape(data.Channels, data.Size, data.Size, data.ClassNames);
        Metadata = new Dictionary<string, string>
        {
            [DataKeys.Source] = sourceName,
            [DataKeys.ClassNames] = DataKeys.EncodeNames(data.ClassNames),
            [ImageFolderSource.PreprocessingKey] = ImageFolderSource.EncodePreprocessing(Preprocessing),
        };
        Warnings = [];
    }

    /// <summary>The folder as the library loaded it (for show-batch).</summary>
    public ImageFolderData Images { get; }

    /// <summary>The preprocessing batches are normalised with.</summary>
    public ImagePreprocessing Preprocessing { get; }

    /// <summary>The augmentation preset of training batches.</summary>
    public AugmentKind Augment { get; }

    public DataShape Shape { get; }

    public void CheckModel(ModelKind kind)
    {
        if (kind == ModelKind.Tabular)
            throw new CliException("--model tabular is for tables; image folders train cnn (the default), resnet18, resnet34 or mlp.");
    }

    public nn.Module<Tensor, Tensor> CreateModel(ModelSpec spec) => spec.Build();

    public ModelDescription DescribeModel(ModelSpec spec) => spec.NeedsImages && spec.Architecture() is { } architecture
        ? new(architecture, InputDescription.ForImages(Preprocessing), TargetDescription.Classes(Shape.ClassNames))
        // The MLP reads the images flattened by a batch transform, which a model file does not carry.
        : throw new CliException($"A {Choices.Name(spec.Kind)} on image folders cannot be exported; train a cnn or resnet to use predict and export.");

    public LossFunction Loss => LossFunctions.CrossEntropyLoss;

    public IReadOnlyList<Metric> Metrics { get; } = [ClassificationMetrics.Accuracy];

    public IReadOnlyList<Callback> BatchCallbacks(ModelSpec spec, bool augment, int seed)
    {
        var list = new List<Callback>(ImageBatches.Callbacks(Preprocessing, augment ? AugmentPreset(Augment) : null, seed));
        // Normalisation runs before BatchTransform, so the MLP gets normalised pixels as flat rows.
        if (!spec.NeedsImages) list.Add(new BatchTransform(x => x.flatten(1)));
        return list;
    }

    public static AugmentOptions AugmentPreset(AugmentKind kind) => AugmentOptions.Preset(Choices.Name(kind));

    // Training batches are random crops where the folder keeps training images' long sides (--resize crop).
    public DataBunch ToDataBunch(int batchSize, int workers, int seed) => Images.ToDataBunch(batchSize, workers, seed, maxItems);

    public IDataset<(Tensor X, Tensor Y)> Test => test;

    public string TestName { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyList<string> Warnings { get; }

    public string Describe() => Images.Describe();

    public IReadOnlyList<string> WriteRunFiles(string folder)
    {
        if (Images.Skipped.Count == 0) return [];
        var path = Path.Combine(folder, "skipped.txt");
        Images.WriteSkippedList(path);
        return [path];
    }

    public void Dispose()
    {
        foreach (var set in new[] { valid, test })
            if (set != Images.Train && set != Images.Valid && set != Images.Test) { set.X.Dispose(); set.Y.Dispose(); }
        Images.Dispose();
    }

    private static TensorPairDataset First(TensorPairDataset set, int n) =>
        n >= set.Count ? set : new TensorPairDataset(set.X.narrow(0, 0, n), set.Y.narrow(0, 0, n));

    private static string Show(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(8).Select(n => $"'{n}'")) + (names.Count > 8 ? $" … ({names.Count})" : "");
}
