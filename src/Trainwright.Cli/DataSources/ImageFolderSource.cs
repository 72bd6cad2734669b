using System.Text.Json;
using Trainwright.Cli.Host;
using Trainwright.Data.Images;
using Trainwright.Distributed;

namespace Trainwright.Cli.DataSources;

/// <summary>
/// A folder of image files in any of the library's layouts (<see cref="ImageFolderLayout"/>): class folders, train/valid
/// (and test) folders of class folders, or a <c>labels.csv</c> of <c>path,label</c>. Decoded once with SkiaSharp into
/// the decode cache; batches are uint8 images normalised (and augmented) by callbacks on the batch.
/// </summary>
internal sealed class ImageFolderSource : IDataSource
{
    /// <summary>The metadata key of the fitted preprocessing (size, resize, channels, per-channel mean and std), as JSON.</summary>
    public const string PreprocessingKey = "data.image.preprocessing";

    public string Name => "images";

    public Settings.ModelKind DefaultModel => Settings.ModelKind.Cnn;

    public bool ReadsBeforeLoadingTorch => false;

    public string Expects =>
        "An image folder holds ROOT/<class>/<image> files, ROOT/train/<class>/… with ROOT/valid/<class>/… (optionally test/), "
        + $"or ROOT/labels.csv with path,label columns; images are {string.Join(", ", ImageDecoder.Extensions.Order(StringComparer.Ordinal))}.";

    public bool CanRead(string path)
    {
        if (!Directory.Exists(path)) return false;
        if (File.Exists(Path.Combine(path, "labels.csv")) || Directory.Exists(Path.Combine(path, "train"))) return true;
        // Class folders: some subfolder holds an image file. Only a few entries are looked at, so a huge folder stays cheap.
        try
        {
            return Directory.EnumerateDirectories(path).Take(64)
                .Any(d => Directory.EnumerateFiles(d).Take(256).Any(ImageDecoder.IsImageFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public ITrainingData Open(DataRequest request)
    {
        var s = request.Settings;
        var path = request.Path ?? throw new CliException("An image folder needs --data DIR.");
        var trained = request.Checkpoint is { } meta && meta.TryGetValue(PreprocessingKey, out var json) ? DecodePreprocessing(json) : null;
        // A checkpoint fixes the size and channels it was trained at, whatever another folder's images are. On its own
        // folder the run's options give the same, and also the same decode cache entry.
        var pinned = trained is not null && !SameFolder(request.Checkpoint!, path) ? trained : null;
        var options = new ImageFolderOptions
        {
            Size = pinned?.Size ?? s.Size,
            Channels = pinned?.Channels ?? s.Channels,
            Resize = pinned?.Resize ?? s.Resize,
            ValidPct = s.ValidPct,
            Seed = s.Seed,
            SkipBadImages = s.SkipBadImages,
            // Decode threads: --workers when given, else one per core (at most 4); the caller only reports progress.
            DecodeWorkers = Math.Min(s.Workers > 0 ? s.Workers : Environment.ProcessorCount, 4),
            Progress = request.Progress is { } writer ? new DecodeProgress(writer, request.ProgressIsTerminal) : null,
            // Under mpirun the processes share the first decode (each its part of the files); alone this is null.
            Communicator = Mpi.TryInitialize() is { IsInitialized: true, Mpi: { Size: > 1 } mpi } ? mpi : null,
        };
        ImageFolderData data;
        try
        {
            data = ImageFolderData.Load(path, options);
        }
        catch (ImageDataException e)
        {
            var hint = e.Message.Contains("--skip-bad-images", StringComparison.Ordinal) || !IsDecodeProblem(e) || s.SkipBadImages
                ? "" : " Train without such files with --skip-bad-images.";
            throw new CliException(e.Message + hint, inner: e);
        }
        catch (IOException e)
        {
            throw new CliException($"Cannot read the image folder '{path}': {e.Message}", inner: e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException($"Cannot read the image folder '{path}': {e.Message}", inner: e);
        }
        try
        {
            return new ImageTrainingData(data, request, Name, trained);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    private static bool SameFolder(IReadOnlyDictionary<string, string> checkpoint, string path) =>
        Settings.RunSettings.FromMetadata(checkpoint).Data is { } trainedOn
        && string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(trainedOn)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)), StringComparison.Ordinal);

    // A file that did not decode names the file; folder-level problems (no images, one class) do not.
    private static bool IsDecodeProblem(ImageDataException e) => e.Path is { } p && File.Exists(p) && ImageDecoder.IsImageFile(p);

    public static string EncodePreprocessing(ImagePreprocessing p) => JsonSerializer.Serialize(p);

    /// <exception cref="CliException">The recorded value is not valid preprocessing.</exception>
    public static ImagePreprocessing DecodePreprocessing(string json)
    {
        try
        {
            return (JsonSerializer.Deserialize<ImagePreprocessing>(json) ?? throw new JsonException("null")).Validate();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"The checkpoint records invalid image preprocessing ({PreprocessingKey}); it was edited or written by another tool.", inner: e);
        }
    }
}
