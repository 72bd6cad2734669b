using Trainwright.Cli.Networks;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Metrics;
using static TorchSharp.torch;

namespace Trainwright.Cli.DataSources;

/// <summary>
/// A data set loaded by an <see cref="IDataSource"/>, ready to train on: its description for the header, its shape and
/// default network for the model factory, the loss, metrics and batch callbacks its items need, loaders for training,
/// an evaluation split for <c>evaluate</c>, and what to record in checkpoints. Train, lr-find, --resume and evaluate
/// all build their learner from it the same way (<see cref="LearnerFactory"/>), so they see the same preprocessing.
/// It owns its tensors (dispose it when done) and must outlive the loaders it made.
/// </summary>
internal interface ITrainingData : IDisposable
{
    /// <summary>The header's text: one line (IDX, images) or several (tables: columns and roles).</summary>
    string Describe();

    /// <summary>Input layout and classes, for the model factory.</summary>
    DataShape Shape { get; }

    /// <summary>Throws when this data cannot feed <paramref name="kind"/> (e.g. a CNN on a table).</summary>
    /// <exception cref="Host.CliException">The model does not fit the data; the message names one that does.</exception>
    void CheckModel(ModelKind kind);

    /// <summary>Builds the network <paramref name="spec"/> describes for this data (call torch.manual_seed first).</summary>
    nn.Module<Tensor, Tensor> CreateModel(ModelSpec spec);

    /// <summary>The training loss (cross entropy for classes, MSE for a regression table).</summary>
    LossFunction Loss { get; }

    /// <summary>The metrics shown and logged per epoch; the first is the headline one (accuracy, or RMSE for regression).</summary>
    IReadOnlyList<Metric> Metrics { get; }

    /// <summary>
    /// The callbacks every learner on this data needs before the model sees a batch (reshape for a CNN on IDX rows;
    /// uint8-to-float normalisation and, when <paramref name="augment"/>, training-only augmentation for image folders).
    /// </summary>
    IReadOnlyList<Callback> BatchCallbacks(ModelSpec spec, bool augment, int seed);

    /// <summary>Train (shuffled with <paramref name="seed"/>) and valid loaders.</summary>
    DataBunch ToDataBunch(int batchSize, int workers, int seed);

    /// <summary>The split <c>evaluate</c> measures: the test split when the data has one, else the validation split (<see cref="TestName"/> says which).</summary>
    IDataset<(Tensor X, Tensor Y)> Test { get; }

    /// <summary>"test" or "validation": which split <see cref="Test"/> is ("all rows" for a table evaluated on another file).</summary>
    string TestName { get; }

    /// <summary>Keys (prefix <c>data.</c>) recorded in every checkpoint, e.g. <see cref="DataKeys.Source"/> and <see cref="DataKeys.ClassNames"/>.</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Things the user should know but that do not stop the run (e.g. classes with very few examples).</summary>
    IReadOnlyList<string> Warnings { get; }

    /// <summary>Writes the data's own files into a run folder (e.g. <c>skipped.txt</c>); returns their paths.</summary>
    IReadOnlyList<string> WriteRunFiles(string folder);

    /// <summary>What the run's model file says about the model <paramref name="spec"/> builds: architecture, input, target.</summary>
    Trainwright.Inference.ModelDescription DescribeModel(ModelSpec spec);
}
