using TorchSharp;
using Trainwright.IO;
using static TorchSharp.torch;

namespace Trainwright.Data.Images;

/// <summary>
/// An image folder read for training: its layout, classes, splits, size statistics, the files it skipped, and the
/// resized uint8 images of every split (memory-mapped from the decode cache when there is one). Load it with
/// <see cref="Load"/>; build loaders with <see cref="ToDataBunch"/> and <see cref="TestLoader"/>.
/// </summary>
/// <remarks>
/// Batches hold uint8 images [bs, <see cref="Channels"/>, <see cref="Size"/>, <see cref="Size"/>] and int64 labels, as
/// fastai's loaders do: conversion to float and normalisation happen per batch on the batch's device, by
/// <see cref="ImagePreprocessing.Normalize"/> (the <c>Trainwright.Augment.NormalizeImages</c> callback; add
/// <c>ImageBatches.Callbacks(data, …)</c> to the learner). The same <see cref="Preprocessing"/> turns a single file into
/// a model input for prediction.
/// </remarks>
public sealed class ImageFolderData : IDisposable
{
    private readonly Tensor trainPixels, otherPixels, labels;
    private readonly int[] trainLengths;
    private readonly List<Tensor> views = [];
    private bool disposed;

    private ImageFolderData(ImageFolderScan scan, DecodedImagesInfo info, Tensor trainPixels, Tensor otherPixels, bool fromCache, string? cacheFile, ImageFolderOptions options)
    {
        Root = scan.Root;
        Layout = scan.Layout;
        RandomValidation = scan.RandomValidation;
        ValidPct = options.ValidPct;
        ClassNames = scan.ClassNames;
        IgnoredFiles = scan.IgnoredFiles;
        Skipped = info.Skipped;
        SizeStats = info.SizeStats;
        TrainCount = info.TrainCount;
        ValidCount = info.ValidCount;
        TestCount = info.TestCount;
        FromCache = fromCache;
        CacheFile = cacheFile;
        Preprocessing = new ImagePreprocessing(info.Size, options.Resize, info.Channels, info.Mean, info.Std, options.MaxPixels).Validate();
        TrainWidth = info.TrainWidth;
        trainLengths = info.TrainLengths;
        this.trainPixels = trainPixels;
        this.otherPixels = otherPixels;
        labels = tensor(info.Labels.Select(l => (long)l).ToArray());
        Train = new TensorPairDataset(trainPixels.alias(), labels.narrow(0, 0, TrainCount));
        Valid = new TensorPairDataset(otherPixels.narrow(0, 0, ValidCount), labels.narrow(0, TrainCount, ValidCount));
        Test = TestCount == 0 ? null
            : new TensorPairDataset(otherPixels.narrow(0, ValidCount, TestCount), labels.narrow(0, TrainCount + ValidCount, TestCount));
    }

    /// <summary>
    /// Reads the image folder at <paramref name="root"/>: detects its layout, lists its classes and splits, and decodes
    /// every image (or maps them from the decode cache). Progress of a first decode goes to
    /// <see cref="ImageFolderOptions.Progress"/>.
    /// </summary>
    /// <exception cref="ImageDataException">The folder or one of its files cannot be used; the message says which and what to do.</exception>
    public static ImageFolderData Load(string root, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        options = (options ?? new ImageFolderOptions()).Validate();
        var scan = ImageFolderScanner.Scan(root, options);
        string? folder = options.UseCache ? options.CacheFolder ?? ImageDecodeCache.DefaultFolder() : null;
        string? key = folder is null ? null : ImageDecodeCache.Key(scan, options);
        var group = options.Communicator is { Size: > 1 } c ? c : null;
        var cached = folder is null ? null : ImageDecodeCache.TryLoad(folder, key!);
        if (group is not null)
        {
            // The processes decode together or not at all: one without the cache entry (another machine) means all decode.
            var hit = new[] { cached is null ? 0L : 1L };
            group.AllReduce(hit, Distributed.ReduceOp.Min);
            if (hit[0] == 0 && cached is var (_, t, o))
            {
                t.Dispose();
                o.Dispose();
                cached = null;
            }
        }
        if (cached is var (cachedInfo, cachedTrain, cachedOthers))
            return new ImageFolderData(scan, cachedInfo, cachedTrain, cachedOthers, true, Path.Combine(folder!, key + ".u8"), options);

        var (info, train, others) = ImageFolderDecoder.Decode(scan, options);
        if (folder is not null)
        {
            // In a group every process holds the same images: process 0 writes them, then each maps the file if it sees it.
            bool saved = (group is null || group.Rank == 0) && ImageDecodeCache.TrySave(folder, key!, info, train, others);
            group?.Barrier();
            if ((saved || group is not null) && ImageDecodeCache.TryLoad(folder, key!) is var (_, mappedTrain, mappedOthers))
            {
                // Train from the memory-mapped file, so the decoded copy in memory can go.
                train.Dispose();
                others.Dispose();
                return new ImageFolderData(scan, info, mappedTrain, mappedOthers, false, Path.Combine(folder, key + ".u8"), options);
            }
        }
        return new ImageFolderData(scan, info, train, others, false, null, options);
    }

    /// <summary>Full path of the folder.</summary>
    public string Root { get; }

    /// <summary>How the folder arranges classes and splits.</summary>
    public ImageFolderLayout Layout { get; }

    /// <summary>True when validation images were drawn at random (<see cref="ValidPct"/> of each class).</summary>
    public bool RandomValidation { get; }

    /// <summary>The validation fraction used when <see cref="RandomValidation"/> is true.</summary>
    public double ValidPct { get; }

    /// <summary>Class names, sorted ordinally; label k is <c>ClassNames[k]</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes.</summary>
    public int C => ClassNames.Count;

    /// <summary>Training images.</summary>
    public int TrainCount { get; }

    /// <summary>Validation images.</summary>
    public int ValidCount { get; }

    /// <summary>Test images (0 without a test/ folder).</summary>
    public int TestCount { get; }

    /// <summary>Files without an image extension that were ignored.</summary>
    public int IgnoredFiles { get; }

    /// <summary>Files left out because they could not be used (only with <see cref="ImageFolderOptions.SkipBadImages"/>).</summary>
    public IReadOnlyList<SkippedImage> Skipped { get; }

    /// <summary>Smallest, median and largest image found (as displayed, before resizing).</summary>
    public ImageSizeStats SizeStats { get; }

    /// <summary>Side of the square images are trained at.</summary>
    public int Size => Preprocessing.Size;

    /// <summary>Channels of the model input (1 or 3).</summary>
    public int Channels => Preprocessing.Channels;

    /// <summary>Decode, resize and normalisation settings with the training split's statistics: what a predictor needs.</summary>
    public ImagePreprocessing Preprocessing { get; }

    /// <summary>True when the images came from the decode cache rather than a fresh decode.</summary>
    public bool FromCache { get; }

    /// <summary>The decode cache's pixel file, or null when the cache is off or could not be written.</summary>
    public string? CacheFile { get; }

    /// <summary>
    /// Training items as stored: uint8 images [<see cref="TrainCount"/>, <see cref="Channels"/>, <see cref="Size"/>,
    /// <see cref="TrainWidth"/>] and int64 labels. When <see cref="TrainWidth"/> is <see cref="Size"/> these are the
    /// images; when wider, each row holds a training image with its long side kept for random crops: train through
    /// <see cref="ToDataBunch"/> or <see cref="TrainCrops"/>, which crop them.
    /// </summary>
    public TensorPairDataset Train { get; }

    /// <summary>
    /// Width of the stored training rows: <see cref="Size"/>, or more when <see cref="ResizeMethod.Crop"/> kept the
    /// long side of non-square training images for random crops (<see cref="ImageFolderOptions.TrainCropAspect"/>).
    /// </summary>
    public int TrainWidth { get; }

    /// <summary>Training items as the model sees them: a random <see cref="Size"/>-square crop per epoch (the image
    /// itself when <see cref="TrainWidth"/> is <see cref="Size"/>), positioned by <paramref name="seed"/>.</summary>
    public RandomCropDataset TrainCrops(int seed)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return new RandomCropDataset(Train.X, Train.Y, trainLengths, Size, seed);
    }

    /// <summary>Validation items.</summary>
    public TensorPairDataset Valid { get; }

    /// <summary>Test items, or null without a test split.</summary>
    public TensorPairDataset? Test { get; }

    /// <summary>
    /// Training (shuffled with <paramref name="seed"/>; random crops when <see cref="TrainWidth"/> exceeds
    /// <see cref="Size"/>, placed by the same seed and the loader's epoch) and validation loaders of uint8 image batches.
    /// </summary>
    /// <param name="batchSize">Training batch size (validation batches are twice as large).</param>
    /// <param name="numWorkers">Background threads of each loader.</param>
    /// <param name="seed">Seed of the order and the crops; null picks one at random.</param>
    /// <param name="maxItems">Keep only the first this-many training and validation items (null: all).</param>
    public DataBunch ToDataBunch(int batchSize, int numWorkers = 0, int? seed = null, int? maxItems = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int n = maxItems ?? int.MaxValue;
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(maxItems));
        int shared = seed ?? Random.Shared.Next();
        var valid = First(Valid, n);
        if (TrainWidth == Size)
            return DataBunch.FromDatasets(First(Train, n), valid, batchSize, C, numWorkers, shared);
        var train = n >= TrainCount ? Train : First(Train, n);
        var crops = new RandomCropDataset(train.X, train.Y, trainLengths.Take(train.Count).ToArray(), Size, shared);
        var trainLoader = new DataLoader<(Tensor X, Tensor Y)>(crops, batchSize, shuffle: true, seed: shared, numWorkers: numWorkers);
        // The loader advances its epoch as an enumeration starts, before any item is read (and the learner sets it on resume).
        crops.Epoch = () => trainLoader.Epoch - 1;
        var validLoader = new DataLoader<(Tensor X, Tensor Y)>(valid, 2 * batchSize, shuffle: false, numWorkers: numWorkers);
        return new DataBunch(trainLoader, validLoader, C);
    }

    // The first n items, as views this object disposes.
    private TensorPairDataset First(TensorPairDataset set, int n)
    {
        if (n >= set.Count) return set;
        var x = set.X.narrow(0, 0, n);
        var y = set.Y.narrow(0, 0, n);
        lock (views) views.AddRange([x, y]);
        return new TensorPairDataset(x, y);
    }

    /// <summary>A loader over the test split in order, or null when there is none.</summary>
    public IDataLoader? TestLoader(int batchSize, int numWorkers = 0)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Test is null ? null : new DataLoader<(Tensor X, Tensor Y)>(Test, batchSize, numWorkers: numWorkers);
    }

    /// <summary>The layout in words, e.g. "train/valid folders" or "class folders, random 20% validation".</summary>
    public string LayoutDescription => (Layout, RandomValidation) switch
    {
        (ImageFolderLayout.SplitFolders, false) => "train/valid folders",
        (ImageFolderLayout.SplitFolders, true) => $"train folder, random {ValidPct:0.##%} validation",
        (ImageFolderLayout.ClassFolders, _) => $"class folders, random {ValidPct:0.##%} validation",
        _ => $"labels file, random {ValidPct:0.##%} validation",
    };

    /// <summary>
    /// One line for a run's header, e.g. "image folder ./photos (class folders, random 20% validation): 800 train,
    /// 200 valid; 3 classes (cat, dog, fox); images 120x90–640x480 (median 320x240), trained at 224x224, 3 channels; 2 skipped".
    /// </summary>
    public string Describe()
    {
        var splits = $"{TrainCount} train, {ValidCount} valid" + (TestCount > 0 ? $", {TestCount} test" : "");
        var names = string.Join(", ", ClassNames.Take(5)) + (C > 5 ? ", …" : "");
        var tail = "";
        if (Skipped.Count > 0) tail += $"; {Skipped.Count} file{(Skipped.Count == 1 ? "" : "s")} skipped";
        if (IgnoredFiles > 0) tail += $"; {IgnoredFiles} non-image file{(IgnoredFiles == 1 ? "" : "s")} ignored";
        return $"image folder {Root} ({LayoutDescription}): {splits}; {C} classes ({names}); images {SizeStats}, "
            + $"trained at {Size}x{Size} ({Preprocessing.Resize.ToString().ToLowerInvariant()}{(TrainWidth > Size ? ", random in training" : "")}), "
            + $"{Channels} channel{(Channels == 1 ? "" : "s")}{tail}";
    }

    /// <summary>
    /// Writes <see cref="Skipped"/> to <paramref name="path"/>, one "PATH: REASON" line per file (a run's
    /// <c>skipped.txt</c>), through <see cref="AtomicFile"/>. Writes an empty file when nothing was skipped.
    /// </summary>
    public void WriteSkippedList(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.WriteText(path, string.Concat(Skipped.Select(s => s + Environment.NewLine)));
    }

    /// <inheritdoc />
    public override string ToString() => Describe();

    /// <summary>Frees the images (and unmaps the cache file).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Train.X.Dispose(); Train.Y.Dispose();
        Valid.X.Dispose(); Valid.Y.Dispose();
        Test?.X.Dispose(); Test?.Y.Dispose();
        foreach (var view in views) view.Dispose();
        trainPixels.Dispose();
        otherPixels.Dispose();
        labels.Dispose();
    }
}
