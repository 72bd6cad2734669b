using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>
/// An MNIST-style image classification set read from a folder of IDX files:
/// <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and
/// <c>t10k-labels-idx1-ubyte</c>, each raw or with a <c>.gz</c> suffix. The training file is split into train (first
/// items) and valid (last items, see <see cref="MnistOptions.ValidCount"/>); t10k is the test set.
/// Images are flattened to float32 <c>[N, H*W]</c> (ubyte pixels scaled to [0, 1]); labels are int64 <c>[N]</c>.
/// Image size and class count come from the files. The instance owns its six tensors: dispose it when done.
/// </summary>
public sealed class MnistData : IDisposable
{
    /// <summary>Base name of the training images file.</summary>
    public const string TrainImagesName = "train-images-idx3-ubyte";
    /// <summary>Base name of the training labels file.</summary>
    public const string TrainLabelsName = "train-labels-idx1-ubyte";
    /// <summary>Base name of the test images file.</summary>
    public const string TestImagesName = "t10k-images-idx3-ubyte";
    /// <summary>Base name of the test labels file.</summary>
    public const string TestLabelsName = "t10k-labels-idx1-ubyte";
    /// <summary>Environment variable that points at the data folder (holding <c>mnist/</c>) or at the MNIST folder itself.</summary>
    public const string DataEnvironmentVariable = "TRAINWRIGHT_DATA";

    private MnistData(string directory, Tensor trainX, Tensor trainY, Tensor validX, Tensor validY, Tensor testX, Tensor testY,
        int height, int width, IReadOnlyList<int> classLabels, IReadOnlyList<int> trainClassCounts, float mean, float std, bool normalized)
    {
        ClassLabels = classLabels;
        TrainClassCounts = trainClassCounts;
        Directory = directory;
        TrainX = trainX; TrainY = trainY; ValidX = validX; ValidY = validY; TestX = testX; TestY = testY;
        ImageShape = (height, width);
        Mean = mean;
        Std = std;
        IsNormalized = normalized;
    }

    /// <summary>The folder the files were read from.</summary>
    public string Directory { get; }

    /// <summary>Training images, float32 [N, H*W].</summary>
    public Tensor TrainX { get; }
    /// <summary>Training labels, int64 [N].</summary>
    public Tensor TrainY { get; }
    /// <summary>Validation images, float32 [N, H*W].</summary>
    public Tensor ValidX { get; }
    /// <summary>Validation labels, int64 [N].</summary>
    public Tensor ValidY { get; }
    /// <summary>Test images, float32 [N, H*W].</summary>
    public Tensor TestX { get; }
    /// <summary>Test labels, int64 [N].</summary>
    public Tensor TestY { get; }

    /// <summary>Image height and width from the image files' headers.</summary>
    public (int Height, int Width) ImageShape { get; }

    /// <summary>Number of input features per image (H*W).</summary>
    public int FeatureCount => ImageShape.Height * ImageShape.Width;

    /// <summary>Number of classes: the distinct label values in the training and test label files (or the fixed vocabulary).</summary>
    public int ClassCount => ClassLabels.Count;

    /// <summary>
    /// The label value each class index stands for, ascending (<c>0..9</c> for MNIST, so there class i is label i). Labels
    /// in <see cref="TrainY"/>, <see cref="ValidY"/> and <see cref="TestY"/> are class indexes into this list.
    /// </summary>
    public IReadOnlyList<int> ClassLabels { get; }

    /// <summary>How many items of each class the whole training file holds (index as <see cref="ClassLabels"/>).</summary>
    public IReadOnlyList<int> TrainClassCounts { get; }

    /// <summary>Mean of the (kept) training images before normalisation, in [0, 1] units for ubyte images.</summary>
    public float Mean { get; }

    /// <summary>Standard deviation of the (kept) training images before normalisation.</summary>
    public float Std { get; }

    /// <summary>Whether the three image sets were normalised with <see cref="Mean"/> and <see cref="Std"/>.</summary>
    public bool IsNormalized { get; }

    /// <summary>The training set as a dataset of (image, label) pairs (a view; this instance keeps ownership).</summary>
    public TensorPairDataset Train => new(TrainX, TrainY);
    /// <summary>The validation set as a dataset (a view).</summary>
    public TensorPairDataset Valid => new(ValidX, ValidY);
    /// <summary>The test set as a dataset (a view).</summary>
    public TensorPairDataset Test => new(TestX, TestY);

    /// <summary>
    /// A <see cref="DataBunch"/> over train and valid: train shuffled with <paramref name="batchSize"/>, valid in order with
    /// twice that, <c>C</c> = <see cref="ClassCount"/>. The loaders read this instance's tensors: keep it alive while they are used.
    /// </summary>
    public DataBunch ToDataBunch(int batchSize, int numWorkers = 0, int? seed = null)
        => DataBunch.FromDatasets(Train, Valid, batchSize, ClassCount, numWorkers, seed);

    /// <summary>
    /// Finds the bundled MNIST folder: <c>$TRAINWRIGHT_DATA/mnist</c> (or <c>$TRAINWRIGHT_DATA</c> itself) when the variable
    /// is set, otherwise the first <c>data/mnist</c> holding a <c>SHA256SUMS</c> in or above the application's folder (the
    /// Trainwright package and build/Trainwright.targets copy it there) or the current directory (inside the repository).
    /// Returns null when none is found.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">TRAINWRIGHT_DATA is set but holds no MNIST checksum list.</exception>
    public static string? FindBundledDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(DataEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            foreach (var candidate in new[] { Path.Combine(fromEnvironment, "mnist"), fromEnvironment })
                if (File.Exists(Path.Combine(candidate, Sha256Sums.DefaultFileName)))
                    return Path.GetFullPath(candidate);
            throw new DirectoryNotFoundException(
                $"{DataEnvironmentVariable} is '{fromEnvironment}' but neither it nor its 'mnist' folder holds a {Sha256Sums.DefaultFileName}; point it at the data folder or unset it.");
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", "mnist");
                if (File.Exists(Path.Combine(candidate, Sha256Sums.DefaultFileName)))
                    return candidate;
            }
        }
        return null;
    }

    /// <summary>Loads the repository's bundled MNIST (see <see cref="FindBundledDirectory"/>) after verifying its checksums.</summary>
    /// <exception cref="DirectoryNotFoundException">No bundled MNIST folder was found.</exception>
    /// <exception cref="ChecksumMismatchException">A file differs from its recorded checksum.</exception>
    public static MnistData Bundled(MnistOptions? options = null)
    {
        var dir = FindBundledDirectory() ?? throw new DirectoryNotFoundException(
            $"No bundled MNIST found: looked for data/mnist/{Sha256Sums.DefaultFileName} above '{AppContext.BaseDirectory}' and '{Environment.CurrentDirectory}'. " +
            $"Reference the Trainwright package (it copies data/mnist next to the program), run from inside the repository, or set {DataEnvironmentVariable} to a folder holding mnist/.");
        options ??= new MnistOptions();
        Sha256Sums.Verify(dir, Sha256Sums.DefaultFileName, Remembered(options));
        return Load(dir, options with { VerifyChecksums = false });
    }

    /// <summary>Loads the four IDX files from <paramref name="directory"/> (see the class summary).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing (neither raw nor .gz).</exception>
    /// <exception cref="IdxFormatException">A file is malformed.</exception>
    /// <exception cref="InvalidDataException">Image and label counts differ, shapes are not images/labels, or a label is negative.</exception>
    public static MnistData Load(string directory, MnistOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new MnistOptions();
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"MNIST folder '{directory}' does not exist.");
        if (options.VerifyChecksums && File.Exists(Path.Combine(directory, Sha256Sums.DefaultFileName)))
            Sha256Sums.Verify(directory, Sha256Sums.DefaultFileName, Remembered(options));

        var cache = options.CacheDecompressedFiles ? options.DecompressedCacheFolder ?? DecompressedIdxCache.DefaultFolder() : null;
        var (trainImagesPath, trainImages) = ReadPart(directory, TrainImagesName, cache);
        var (trainLabelsPath, trainLabels) = ReadPart(directory, TrainLabelsName, cache);
        var (testImagesPath, testImages) = ReadPart(directory, TestImagesName, cache);
        var (testLabelsPath, testLabels) = ReadPart(directory, TestLabelsName, cache);

        var (height, width) = CheckImages(trainImagesPath, trainImages);
        var testShape = CheckImages(testImagesPath, testImages);
        if (testShape != (height, width))
            throw new InvalidDataException(
                $"'{testImagesPath}' holds {testShape.Height}x{testShape.Width} images but '{trainImagesPath}' holds {height}x{width}; both sets must have the same image size.");
        var trainLabelValues = CheckLabels(trainLabelsPath, trainLabels, trainImagesPath, trainImages);
        var testLabelValues = CheckLabels(testLabelsPath, testLabels, testImagesPath, testImages);
        var vocabulary = LabelVocabulary.Build(options, (trainLabelsPath, trainLabelValues), (testLabelsPath, testLabelValues));
        var trainClassCounts = LabelVocabulary.Count(vocabulary, trainLabelValues);

        int fileCount = trainImages.Dimensions[0];
        int validCount = options.ValidCount ?? fileCount / 6;
        if (validCount < 0 || validCount >= fileCount)
            throw new ArgumentOutOfRangeException(nameof(options), validCount,
                $"ValidCount must be between 0 and {fileCount - 1} for '{trainImagesPath}' with {fileCount} items.");
        int trainCount = fileCount - validCount;
        int keepTrain = Keep(trainCount, options.MaxTrainItems, nameof(options.MaxTrainItems));
        int keepValid = Keep(validCount, options.MaxValidItems, nameof(options.MaxValidItems));
        int keepTest = Keep(testImages.Dimensions[0], options.MaxTestItems, nameof(options.MaxTestItems));

        // 8-bit pixels: their statistics come from a histogram, before the first torch call (libtorch may still be
        // loading on another thread), and each set becomes floats in one pass.
        int rowLength = trainImages.Dimensions[1] * trainImages.Dimensions[2];
        (float Mean, float Std)? byteStats = trainImages.Values is byte[] trainBytes && testImages.Values is byte[]
            ? BytePixels.Stats(trainBytes, 0, (long)keepTrain * rowLength)
            : null;
        // The first torch call of a typical program: if libtorch cannot load, say why in one line.
        Platform.TorchNative.EnsureLoaded();
        // Slice before converting so a small slice never pays for converting the whole file.
        Tensor? trainX = null, trainY = null, validX = null, validY = null, testX = null, testY = null;
        try
        {
            float mean, std;
            if (byteStats is var (byteMean, byteStd))
            {
                (mean, std) = (byteMean, byteStd);
                CheckStats(trainImagesPath, mean, std, options.Normalize);
                var normalize = options.Normalize ? byteStats : null;
                trainX = BytePixels.ToFloat((byte[])trainImages.Values, 0, keepTrain, rowLength, normalize);
                validX = BytePixels.ToFloat((byte[])trainImages.Values, trainCount, keepValid, rowLength, normalize);
                testX = BytePixels.ToFloat((byte[])testImages.Values, 0, keepTest, rowLength, normalize);
            }
            else
            {
                trainX = Images(trainImages, 0, keepTrain);
                validX = Images(trainImages, trainCount, keepValid);
                testX = Images(testImages, 0, keepTest);
                using (var m = trainX.mean()) mean = m.ToSingle();
                using (var s = trainX.std()) std = s.ToSingle();
                CheckStats(trainImagesPath, mean, std, options.Normalize);
                if (options.Normalize)
                    foreach (var x in new[] { trainX, validX, testX })
                        x.sub_(mean).div_(std);
            }
            trainY = Labels(vocabulary, trainLabelValues, 0, keepTrain);
            validY = Labels(vocabulary, trainLabelValues, trainCount, keepValid);
            testY = Labels(vocabulary, testLabelValues, 0, keepTest);
            // The instance owns its tensors: keep them out of any dispose scope the caller has open.
            foreach (var t in new[] { trainX, trainY, validX, validY, testX, testY })
                t.DetachFromDisposeScope();
            return new MnistData(directory, trainX, trainY, validX, validY, testX, testY,
                height, width, vocabulary.Labels, trainClassCounts, mean, std, options.Normalize);
        }
        catch
        {
            foreach (var t in new[] { trainX, trainY, validX, validY, testX, testY }) t?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        TrainX.Dispose(); TrainY.Dispose();
        ValidX.Dispose(); ValidY.Dispose();
        TestX.Dispose(); TestY.Dispose();
    }

    private static VerifiedChecksums? Remembered(MnistOptions options) =>
        options.RememberVerifiedFiles && (options.VerifiedFilesRecord ?? VerifiedChecksums.DefaultPath()) is { } record
            ? VerifiedChecksums.Open(record)
            : null;

    private static int Keep(int available, int? max, string name)
    {
        if (max is null) return available;
        if (max < 0) throw new ArgumentOutOfRangeException(name, max, $"{name} cannot be negative.");
        return Math.Min(available, max.Value);
    }

    private static (string Path, IdxData Data) ReadPart(string directory, string baseName, string? cache)
    {
        var raw = Path.Combine(directory, baseName);
        var gz = raw + ".gz";
        var path = File.Exists(raw) ? raw : File.Exists(gz) ? gz
            : throw new FileNotFoundException($"MNIST folder '{directory}' has neither '{baseName}' nor '{baseName}.gz'.", gz);
        return (path, path == gz && cache is not null ? DecompressedIdxCache.Read(gz, cache) : IdxReader.Read(path));
    }

    private static (int Height, int Width) CheckImages(string path, IdxData images)
    {
        if (images.Rank != 3)
            throw new InvalidDataException($"'{path}' should hold images [N, H, W] but has {images.Rank} dimensions [{string.Join(", ", images.Dimensions)}].");
        if (images.Dimensions[0] == 0 || images.Dimensions[1] == 0 || images.Dimensions[2] == 0)
            throw new InvalidDataException($"'{path}' holds no pixels: dimensions [{string.Join(", ", images.Dimensions)}].");
        return (images.Dimensions[1], images.Dimensions[2]);
    }

    /// <summary>Checks labels against their images and returns their values.</summary>
    private static int[] CheckLabels(string path, IdxData labels, string imagesPath, IdxData images)
    {
        if (labels.Rank != 1)
            throw new InvalidDataException($"'{path}' should hold labels [N] but has {labels.Rank} dimensions [{string.Join(", ", labels.Dimensions)}].");
        if (labels.ElementType is IdxElementType.Float or IdxElementType.Double)
            throw new InvalidDataException($"'{path}' holds {labels.ElementType} values; class labels must be integers.");
        if (labels.Dimensions[0] != images.Dimensions[0])
            throw new InvalidDataException(
                $"Image/label count mismatch: '{imagesPath}' holds {images.Dimensions[0]} images but '{path}' holds {labels.Dimensions[0]} labels.");
        // Typed loops: boxing each label through Array.GetValue cost more than reading the file (60,000 labels).
        var values = labels.Values switch
        {
            byte[] a => Array.ConvertAll(a, v => (int)v),
            sbyte[] a => Array.ConvertAll(a, v => (int)v),
            short[] a => Array.ConvertAll(a, v => (int)v),
            int[] a => a,
            _ => throw new InvalidDataException($"'{path}' holds {labels.ElementType} values; class labels must be integers."),
        };
        int min = values.Length == 0 ? 0 : Math.Min(0, values.Min());
        if (min < 0)
            throw new InvalidDataException($"'{path}' holds a negative label ({min}); class labels must be 0 or more.");
        return values;
    }

    private static void CheckStats(string trainImagesPath, float mean, float std, bool normalize)
    {
        if (!float.IsFinite(mean) || !float.IsFinite(std))
            throw new InvalidDataException($"The training images in '{trainImagesPath}' hold infinite or NaN pixel values; every pixel must be a finite number.");
        if (normalize && !(std > 0))
            throw new InvalidDataException($"The training images in '{trainImagesPath}' are constant (std {std}); they cannot be normalised. Load with Normalize = false.");
    }

    private static Tensor Images(IdxData images, int start, int count)
    {
        using var all = images.View();
        using var part = all.narrow(0, start, count);
        using var flat = part.reshape(count, images.Dimensions[1] * images.Dimensions[2]);
        var result = flat.to(ScalarType.Float32, copy: true);
        if (images.ElementType == IdxElementType.UByte)
            result.div_(255f);
        return result;
    }

    private static Tensor Labels(LabelVocabulary vocabulary, int[] values, int start, int count)
    {
        var classes = new long[count];
        for (int i = 0; i < count; i++) classes[i] = vocabulary.IndexOf(values[start + i]);
        return tensor(classes, [count]);
    }
}
