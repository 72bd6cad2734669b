using Trainwright.Inference;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Data.Tables;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Metrics;
using Trainwright.Models;
using static TorchSharp.torch;

namespace Trainwright.Cli.DataSources;

/// <summary>
/// A table as <see cref="ITrainingData"/>: the training and validation splits of <see cref="TabularData"/>, or (for
/// evaluate on another file) every row of a table through a checkpoint's preprocessing. Its loss and metrics follow the
/// task: cross entropy with accuracy, balanced accuracy and macro F1, or MSE with RMSE, MAE and R² in the target's units.
/// </summary>
internal sealed class TableTrainingData : ITrainingData
{
    private readonly TabularPreprocessor preprocessor;
    private readonly Tensor trainX, trainY, validX, validY;
    private readonly TensorPairDataset train, valid;
    private readonly string description;

    private TableTrainingData(TabularPreprocessor preprocessor, Tensor trainX, Tensor trainY, Tensor validX, Tensor validY,
        string description, IReadOnlyList<string> warnings, DataRequest request, string sourceName, string testName)
    {
        this.preprocessor = preprocessor;
        (this.trainX, this.trainY, this.validX, this.validY) = (trainX, trainY, validX, validY);
        this.description = description;
        Warnings = warnings;
        TestName = testName;
        var classes = preprocessor.Task == TabularTask.Classify ? preprocessor.Classes : [];
        if (classes.Count > request.MaxClasses)
            throw new CliException($"Target '{preprocessor.Target}' has {classes.Count} classes, more than --max-classes {request.MaxClasses}; "
                + "raise --max-classes, or use --task regress for a numeric target.");
        if (request.ClassNames is { } names && !names.SequenceEqual(classes, StringComparer.Ordinal))
            throw new CliException($"The table's classes differ from the ones the checkpoint was trained on ({string.Join(", ", names.Take(8))}); "
                + "use the table it was trained on.");
        int n = request.MaxItems ?? int.MaxValue;
        train = new TensorPairDataset(First(trainX, n), First(trainY, n));
        valid = new TensorPairDataset(First(validX, n), First(validY, n));
        Shape = new DataShape(1, 1, preprocessor.InputWidth, classes, IsImage: false);
        Metadata = new Dictionary<string, string>
        {
            [DataKeys.Source] = sourceName,
            [DataKeys.ClassNames] = DataKeys.EncodeNames(classes),
            [TableSource.PreprocessorKey] = preprocessor.ToJson(),
        };
        Metrics = MetricsFor(preprocessor);
    }

    /// <summary>A table loaded for a run: its training and validation splits.</summary>
    public static TableTrainingData ForRun(TabularData data, DataRequest request, string sourceName)
    {
        // The tensors are TabularData's; this object takes them over (TabularData is not disposed separately). Its
        // warnings are part of Describe() already, so they are not repeated as Warnings.
        return new TableTrainingData(data.Preprocessor, data.TrainX, data.TrainY, data.ValidX, data.ValidY, data.Describe(), [],
            request, sourceName, "validation");
    }

    /// <summary>Every row of <paramref name="path"/> with a target, preprocessed as a checkpoint recorded: what evaluate measures on another file.</summary>
    /// <exception cref="TabularDataException">The file cannot be read, lacks a column the model needs, or holds a class the model does not know.</exception>
    public static TableTrainingData ForFile(string path, TabularPreprocessor preprocessor, DataRequest request, string sourceName)
    {
        var table = Table.Read(path);
        if (!table.TryGetColumn(preprocessor.Target, out var target))
            throw new TabularDataException($"{table.Source}: the target column '{preprocessor.Target}' is missing, so there is nothing to evaluate against; "
                + $"it has {string.Join(", ", table.ColumnNames)}.");
        var rows = Enumerable.Range(0, table.RowCount).Where(r => !target.IsMissing(r)).ToArray();
        if (rows.Length == 0) throw new TabularDataException($"{table.Source}: no row has a target value.");
        var matrix = preprocessor.Transform(table, rows);
        var x = matrix.InputTensor();
        var y = matrix.TargetTensor();
        var description = $"{table.Source}: {rows.Length} rows with a target{(rows.Length < table.RowCount ? $" ({table.RowCount - rows.Length} without dropped)" : "")}, "
            + $"through the checkpoint's preprocessing; {(preprocessor.Task == TabularTask.Classify ? $"classify '{preprocessor.Target}' ({preprocessor.Classes.Count} classes)" : $"regress '{preprocessor.Target}'")}";
        return new TableTrainingData(preprocessor, x, y, x.alias(), y.alias(), description, [], request, sourceName, AllRows);
    }

    /// <summary>The <see cref="TestName"/> of a table evaluated on every row of another file.</summary>
    public const string AllRows = "all rows";

    public DataShape Shape { get; }

    public void CheckModel(ModelKind kind)
    {
        if (kind != ModelKind.Tabular)
            throw new CliException($"--model {Choices.Name(kind)} does not take tables; tables train --model tabular (the default).");
    }

    public nn.Module<Tensor, Tensor> CreateModel(ModelSpec spec) => new TabularModel(ModelSettings(spec));

    public ModelDescription DescribeModel(ModelSpec spec) => ModelDescription.ForTable(preprocessor, ModelSettings(spec));

    private TabularModelSettings ModelSettings(ModelSpec spec) =>
        new([.. preprocessor.Categorical.Select(c => c.Cardinality)], preprocessor.Continuous.Count, Shape.Outputs) { Layers = spec.LayerSizes };

    public LossFunction Loss => preprocessor.Task == TabularTask.Classify ? LossFunctions.CrossEntropyLoss : RegressionLosses.MseLoss;

    public IReadOnlyList<Metric> Metrics { get; }

    public IReadOnlyList<Callback> BatchCallbacks(ModelSpec spec, bool augment, int seed) => [];

    public DataBunch ToDataBunch(int batchSize, int workers, int seed) =>
        DataBunch.FromDatasets(train, valid, batchSize, Shape.Outputs, workers, seed);

    public IDataset<(Tensor X, Tensor Y)> Test => valid;

    public string TestName { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyList<string> Warnings { get; }

    public string Describe() => description;

    public IReadOnlyList<string> WriteRunFiles(string folder) => [];

    public void Dispose()
    {
        foreach (var t in new[] { train.X, train.Y, valid.X, valid.Y, trainX, trainY, validX, validY }) t.Dispose();
    }

    // The same metrics TabularData.Metrics() gives, built from the preprocessing alone (it is all a checkpoint keeps).
    private static Metric[] MetricsFor(TabularPreprocessor p)
    {
        if (p.Task == TabularTask.Classify)
            return [ClassificationMetrics.Accuracy, ClassificationMetrics.BalancedAccuracy(p.Classes.Count), ClassificationMetrics.MacroF1(p.Classes.Count)];
        Func<Tensor, Tensor> original = p.TargetScaling!.FromModel;
        return [RegressionMetrics.Rmse(original), RegressionMetrics.Mae(original), RegressionMetrics.R2(original)];
    }

    private static Tensor First(Tensor t, int n) => n >= t.shape[0] ? t.alias() : t.narrow(0, 0, n);
}
