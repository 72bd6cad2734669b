using Trainwright.Data;
using static TorchSharp.torch;

namespace Trainwright.Cli.DataSources;

/// <summary>
/// A data set loaded by an <see cref="IDataSource"/>, ready to train on: its description for the header line, its shape
/// for the model factory, loaders for training, a test split for <c>evaluate</c>, and what to record in checkpoints.
/// It owns its tensors (dispose it when done) and must outlive the loaders it made.
/// </summary>
internal interface ITrainingData : IDisposable
{
    /// <summary>The header line's text, e.g. <c>MNIST (bundled): 50000 train, 10000 valid, 10000 test, 28x28 images, 10 classes</c>.</summary>
    string Describe();

    /// <summary>Input layout and classes, for the model factory.</summary>
    DataShape Shape { get; }

    /// <summary>Train (shuffled with <paramref name="seed"/>) and valid loaders; items are (flat float row, class index) pairs.</summary>
    DataBunch ToDataBunch(int batchSize, int workers, int seed);

    /// <summary>The test split <c>evaluate</c> measures, with class indexes of <see cref="Shape"/>'s vocabulary.</summary>
    IDataset<(Tensor X, Tensor Y)> Test { get; }

    /// <summary>Keys (prefix <c>data.</c>) recorded in every checkpoint, e.g. <see cref="DataKeys.Source"/> and <see cref="DataKeys.ClassNames"/>.</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Things the user should know but that do not stop the run (e.g. classes with very few examples).</summary>
    IReadOnlyList<string> Warnings { get; }

    /// <summary>How one raw item becomes the model's input (shape <paramref name="itemShape"/>), for the run's model file.</summary>
    Trainwright.Inference.InputDescription ModelInput(IReadOnlyList<int> itemShape);
}
