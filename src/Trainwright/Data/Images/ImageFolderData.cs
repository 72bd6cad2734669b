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
    private readonly Tensor pixels, labels;
    private bool disposed;

    private ImageFolderData(ImageFolderScan scan, DecodedImagesInfo info, Tensor pixels, bool fromCache, string? cacheFile, ImageFolderOptions options)
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
        this.pixels = pixels;
        labels = tensor(info.Labels.Select(l => (long)l).ToArray());
        Train = new TensorPairDataset(pixels.narrow(0, 0, TrainCount), labels.narrow(0, 0, TrainCount));
        Valid = new TensorPairDataset(pixels.narrow(0, TrainCount, ValidCount), labels.narrow(0, TrainCount, ValidCount));
        Test = TestCount == 0 ? null
            : new TensorPairDataset(pixels.narrow(0, TrainCount + ValidCount, TestCount), labels.narrow(0, TrainCount + ValidCount, TestCount));
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
        if (folder is not null && ImageDecodeCache.TryLoad(folder, key!) is var (cachedInfo, cachedPixels))
            return new ImageFolderData(scan, cachedInfo, cachedPixels, true, Path.Combine(folder, key + ".u8"), options);

        var (info, decoded) = ImageFolderDecoder.Decode(scan, options);
        if (folder is not null && ImageDecodeCache.TrySave(folder, key!, info, decoded) && ImageDecodeCache.TryLoad(folder, key!) is var (_, mapped))
        {
            // Train from the memory-mapped file, so the decoded copy in memory can go.
            decoded.Dispose();
            return new ImageFolderData(scan, info, mapped, false, Path.Combine(folder, key + ".u8"), options);
        }
        return new ImageFolderData(scan, info, decoded, false, null, options);
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

    /// <summary>Training items: uint8 images and int64 labels.</summary>
    public TensorPairDataset Train { get; }

    /// <summary>Validation items.</summary>
    public TensorPairDataset Valid { get; }

    /// <summary>Test items, or null without a test split.</summary>
    public TensorPairDataset? Test { get; }

    /// <summary>Training (shuffled with <paramref name="seed"/>) and validation loaders of uint8 image batches.</summary>
    public DataBunch ToDataBunch(int batchSize, int numWorkers = 0, int? seed = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return DataBunch.FromDatasets(Train, Valid, batchSize, C, numWorkers, seed);
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
            + $"trained at {Size}x{Size} ({Preprocessing.Resize.ToString().ToLowerInvariant()}), {Channels} channel{(Channels == 1 ? "" : "s")}{tail}";
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
        pixels.Dispose();
        labels.Dispose();
    }
}
