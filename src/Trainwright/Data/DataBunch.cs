using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>
/// The training and validation loaders of one problem, plus the number of classes <see cref="C"/>
/// so a model's head can be sized from the data (the lesson's DataBunch).
/// </summary>
public sealed class DataBunch
{
    /// <summary>Groups two loaders with the class count.</summary>
    public DataBunch(IDataLoader train, IDataLoader valid, int c)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(valid);
        if (c < 1) throw new ArgumentOutOfRangeException(nameof(c), c, "The number of classes must be at least 1.");
        Train = train;
        Valid = valid;
        C = c;
    }

    /// <summary>Loader for training batches (usually shuffled).</summary>
    public IDataLoader Train { get; }

    /// <summary>Loader for validation batches (never shuffled).</summary>
    public IDataLoader Valid { get; }

    /// <summary>Number of classes (outputs of the model's last layer).</summary>
    public int C { get; }

    /// <summary>
    /// Builds the usual pair of loaders: train shuffled with <paramref name="batchSize"/>, valid in order with twice that
    /// (validation keeps no activations for backward, so bigger batches fit). <paramref name="c"/> defaults to the data's
    /// class count: the largest integer label in either set plus one, or the width of 2-D float targets.
    /// The datasets' tensors stay owned by their maker and must outlive the loaders.
    /// </summary>
    public static DataBunch FromDatasets(IDataset<(Tensor X, Tensor Y)> train, IDataset<(Tensor X, Tensor Y)> valid, int batchSize,
        int? c = null, int numWorkers = 0, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(valid);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var trainLoader = new DataLoader<(Tensor X, Tensor Y)>(train, batchSize, shuffle: true, seed: seed, numWorkers: numWorkers);
        var validLoader = new DataLoader<(Tensor X, Tensor Y)>(valid, 2 * batchSize, shuffle: false, numWorkers: numWorkers);
        return new DataBunch(trainLoader, validLoader, c ?? Math.Max(ClassCount(train), ClassCount(valid)));
    }

    /// <summary>
    /// The class count a dataset's targets imply: the largest integer label plus one, the width of 2-D floating-point
    /// targets (one-hot or regression outputs), or 1 for an empty set or scalar floating-point targets.
    /// </summary>
    public static int ClassCount(IDataset<(Tensor X, Tensor Y)> dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Count == 0) return 1;
        using var scope = NewDisposeScope();
        var y = dataset is TensorPairDataset td ? td.Y : stack(Enumerable.Range(0, dataset.Count).Select(i => dataset[i].Y).ToArray());
        if (!y.is_floating_point())
            return (int)y.max().ToInt64() + 1;
        return y.Dimensions >= 2 ? (int)y.shape[1] : 1;
    }
}
