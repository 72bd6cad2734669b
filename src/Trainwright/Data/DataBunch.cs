using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>
/// The training and validation loaders of one problem, plus the number of classes <see cref="C"/>
/// so a model's head can be sized from the data (the lesson's DataBunch).
/// </summary>
public sealed class DataBunch : IDisposable
{
    private readonly List<Tensor> owned = [];

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
    /// The quick path for tensors of your own: splits <paramref name="x"/> and <paramref name="y"/> (items along the first
    /// dimension) at random into a training set and a validation set of <paramref name="validPct"/> of the items (rounded,
    /// at least one item each), and builds the loaders as <see cref="FromDatasets"/> does. The split is plain random, not
    /// stratified: a permutation from <paramref name="seed"/>, or, when none is given, from a seed drawn from torch's global
    /// generator (so <c>torch.manual_seed</c> fixes it); the same seed also fixes the training order. The class count
    /// <see cref="C"/> is inferred from integer targets (largest label plus one) or the width of 2-D floating-point targets.
    /// The two sets are copies owned by the bunch: <see cref="Dispose"/> frees them; <paramref name="x"/> and
    /// <paramref name="y"/> stay the caller's.
    /// </summary>
    /// <param name="x">Inputs, one item per row of the first dimension.</param>
    /// <param name="y">Targets, as many as <paramref name="x"/> has items.</param>
    /// <param name="validPct">Fraction of the items held out for validation, in (0, 1).</param>
    /// <param name="batchSize">Training batch size (validation uses twice that).</param>
    /// <param name="seed">Seed of the split and of the training order; null draws one from torch's generator.</param>
    /// <exception cref="ArgumentException">The tensors disagree on the item count, or there are fewer than two items.</exception>
    public static DataBunch FromTensors(Tensor x, Tensor y, double validPct = 0.2, int batchSize = 64, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (!(validPct > 0 && validPct < 1))
            throw new ArgumentOutOfRangeException(nameof(validPct), validPct, "The validation share must be between 0 and 1 (e.g. 0.2), exclusive.");
        if (x.Dimensions == 0 || y.Dimensions == 0)
            throw new ArgumentException("x and y need a first dimension that counts the items.", x.Dimensions == 0 ? nameof(x) : nameof(y));
        long n = x.shape[0];
        if (y.shape[0] != n)
            throw new ArgumentException($"x has {n} items but y has {y.shape[0]}; they must match along the first dimension.", nameof(y));
        if (n < 2) throw new ArgumentException($"Splitting needs at least two items; x has {n}.", nameof(x));
        int s = seed ?? Sampler.SeedFromTorch();
        int validCount = (int)Math.Clamp(Math.Round(n * validPct), 1, n - 1);
        var order = new Sampler((int)n, shuffle: true, s).Order(0);
        DataBunch made;
        using (var scope = NewDisposeScope())
        {
            using var validIdx = tensor(order[..validCount].Select(i => (long)i).ToArray()).to(x.device);
            using var trainIdx = tensor(order[validCount..].Select(i => (long)i).ToArray()).to(x.device);
            var xt = x.index_select(0, trainIdx);
            var yt = y.index_select(0, trainIdx.to(y.device));
            var xv = x.index_select(0, validIdx);
            var yv = y.index_select(0, validIdx.to(y.device));
            Tensor[] copies = [xt, yt, xv, yv];
            foreach (var t in copies) t.DetachFromDisposeScope();
            made = FromDatasets(new TensorPairDataset(xt, yt), new TensorPairDataset(xv, yv), batchSize, c: ClassCount(y), seed: s);
            made.owned.AddRange(copies);
        }
        return made;
    }

    /// <summary>The class count of targets <paramref name="y"/>: largest integer label plus one, width of 2-D floating-point targets, else 1.</summary>
    private static int ClassCount(Tensor y)
    {
        if (y.NumberOfElements == 0) return 1;
        if (!y.is_floating_point()) return (int)y.max().ToInt64() + 1;
        return y.Dimensions >= 2 ? (int)y.shape[1] : 1;
    }

    /// <summary>Frees the tensors this bunch owns (those <see cref="FromTensors"/> split off); other bunches own none.</summary>
    public void Dispose()
    {
        foreach (var t in owned) t.Dispose();
        owned.Clear();
    }

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
