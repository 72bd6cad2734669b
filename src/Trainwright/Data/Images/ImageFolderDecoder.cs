using System.Collections.Concurrent;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data.Images;

/// <summary>
/// The first read of an image folder: every header (sizes, grey or colour, bad files) then every image, decoded and
/// resized on the <see cref="DataLoader{TItem}"/>'s background workers into one uint8 tensor, plus the training split's
/// per-channel statistics.
/// </summary>
internal static class ImageFolderDecoder
{
    private const int DecodeBatch = 64;

    public static (DecodedImagesInfo Info, Tensor Pixels) Decode(ImageFolderScan scan, ImageFolderOptions options)
    {
        var skipped = new List<SkippedImage>(scan.Skipped);
        var headers = ReadHeaders(scan.Files, options, skipped);
        var files = scan.Files.Where((_, i) => headers[i] is not null).ToList();
        var sizes = headers.OfType<ImageHeader>().Select(h => h.Size).ToList();
        if (files.Count == 0)
            throw new ImageDataException($"None of the {scan.Files.Count} images under '{scan.Root}' could be read (first: {skipped[0]}).", scan.Root);
        int size = options.Size ?? DefaultSize(sizes);

        using var all = empty([files.Count, 3, size, size], ScalarType.Byte);
        var grey = new bool[files.Count];
        var failed = DecodeAll(files, size, options, all, grey);
        var keep = Enumerable.Range(0, files.Count).Where(i => !failed.ContainsKey(i)).ToArray();
        foreach (var i in failed.Keys.Order()) skipped.Add(new(files[i].Path, failed[i]));
        if (keep.Length == 0)
            throw new ImageDataException($"None of the {scan.Files.Count} images under '{scan.Root}' could be decoded (first: {skipped[0]}).", scan.Root);
        var kept = keep.Select(i => files[i]).ToArray();
        foreach (var split in new[] { ImageSplit.Train, ImageSplit.Valid })
            if (!kept.Any(f => f.Split == split))
                throw new ImageDataException($"After skipping bad images, the {split.ToString().ToLowerInvariant()} split of '{scan.Root}' has no images left.", scan.Root);
        var keptSizes = keep.Select(i => sizes[i]).ToArray();

        int channels = options.Channels ?? (keep.All(i => grey[i]) ? 1 : 3);
        var pixels = empty([keep.Length, channels, size, size], ScalarType.Byte);
        using (var keepIndex = tensor(keep.Select(i => (long)i).ToArray()))
        {
            const int chunk = 1024;
            for (int start = 0; start < keep.Length; start += chunk)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(chunk, keep.Length - start);
                var rows = all.index_select(0, keepIndex.narrow(0, start, count));
                pixels.narrow(0, start, count).copy_(ImagePreprocessing.ToChannels(rows, channels));
            }
        }
        int train = kept.Count(f => f.Split == ImageSplit.Train);
        int valid = kept.Count(f => f.Split == ImageSplit.Valid);
        var (mean, std) = ChannelStats(pixels.narrow(0, 0, train));
        var info = new DecodedImagesInfo(size, channels, kept.Select(f => f.Label).ToArray(), train, valid, kept.Length - train - valid,
            [.. skipped], ImageSizeStats.Of(keptSizes), mean, std);
        return (info, pixels);
    }

    /// <summary>The default square side: the median short side, clamped to 224, or 28 for data of 32 px or less.</summary>
    public static int DefaultSize(IReadOnlyCollection<ImageSize> sizes)
    {
        var shortSides = sizes.Select(s => Math.Min(s.Width, s.Height)).Order().ToArray();
        int median = shortSides[(shortSides.Length - 1) / 2];
        return median <= 32 ? 28 : Math.Min(median, 224);
    }

    private static ImageHeader?[] ReadHeaders(IReadOnlyList<ImageFile> files, ImageFolderOptions options, List<SkippedImage> skipped)
    {
        var headers = new ImageHeader?[files.Count];
        var errors = new ImageDataException?[files.Count];
        var clock = Stopwatch.StartNew();
        const int block = 256;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.DecodeWorkers + 1 };
        for (int start = 0; start < files.Count; start += block)
        {
            int end = Math.Min(files.Count, start + block);
            Parallel.For(start, end, parallel, i =>
            {
                try { headers[i] = ImageDecoder.ReadHeader(files[i].Path, options.MaxPixels); }
                catch (ImageDataException e) { errors[i] = e; }
            });
            for (int i = start; i < end; i++)
            {
                if (errors[i] is not { } error) continue;
                if (!options.SkipBadImages) throw WithAdvice(error);
                skipped.Add(new(files[i].Path, Reason(error)));
            }
            options.Progress?.Report(new("Reading headers", end, files.Count, clock.Elapsed));
        }
        return headers;
    }

    private static ConcurrentDictionary<int, string> DecodeAll(List<ImageFile> files, int size, ImageFolderOptions options, Tensor into, bool[] grey)
    {
        var failed = new ConcurrentDictionary<int, string>();
        var dataset = new DecodeDataset(files, size, options, failed, grey);
        var loader = new DataLoader<(Tensor X, Tensor Y)>(dataset, DecodeBatch, numWorkers: options.DecodeWorkers);
        var clock = Stopwatch.StartNew();
        long done = 0;
        try
        {
            foreach (var batch in loader)
            {
                int count = batch.Size;
                using (batch)
                using (var rows = into.narrow(0, done, count))
                    rows.copy_(batch.Xb);
                done += count;
                options.Progress?.Report(new("Decoding", (int)done, files.Count, clock.Elapsed));
            }
        }
        catch (DataLoaderException e) when (e.InnerException is ImageDataException bad)
        {
            throw WithAdvice(bad);
        }
        return failed;
    }

    private static ImageDataException WithAdvice(ImageDataException e) =>
        new($"{e.Message} Remove or replace the file, or skip bad images (SkipBadImages, --skip-bad-images) to train without such files.", e.Path, e);

    // The decoder's message is "Image 'PATH' REASON."; the skipped list keeps only the reason.
    private static string Reason(ImageDataException e)
    {
        var m = e.Message;
        if (e.Path is not null && m.StartsWith($"Image '{e.Path}' ", StringComparison.Ordinal))
            m = m[($"Image '{e.Path}' ".Length)..];
        return m.TrimEnd('.');
    }

    // Per-channel mean and standard deviation on the [0, 1] scale, accumulated in float64 a chunk at a time.
    private static (float[] Mean, float[] Std) ChannelStats(Tensor images)
    {
        int channels = (int)images.shape[1];
        var sum = new double[channels];
        var sumSq = new double[channels];
        long n = images.shape[0];
        const int chunk = 1024;
        for (long start = 0; start < n; start += chunk)
        {
            using var scope = NewDisposeScope();
            var x = images.narrow(0, start, Math.Min(chunk, n - start)).to_type(ScalarType.Float64).div_(255.0);
            var s = x.sum([0L, 2L, 3L]).data<double>().ToArray();
            var q = x.square().sum([0L, 2L, 3L]).data<double>().ToArray();
            for (int c = 0; c < channels; c++) { sum[c] += s[c]; sumSq[c] += q[c]; }
        }
        double count = (double)n * images.shape[2] * images.shape[3];
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = sum[c] / count;
            mean[c] = (float)m;
            // A constant channel would divide by zero; 1 leaves it centred but unscaled.
            double sd = Math.Sqrt(Math.Max(0, sumSq[c] / count - m * m));
            std[c] = sd > 1e-6 ? (float)sd : 1f;
        }
        return (mean, std);
    }

    private sealed class DecodeDataset(List<ImageFile> files, int size, ImageFolderOptions options,
        ConcurrentDictionary<int, string> failed, bool[] grey) : IDataset<(Tensor X, Tensor Y)>
    {
        public int Count => files.Count;

        public (Tensor X, Tensor Y) this[int index]
        {
            get
            {
                var path = files[index].Path;
                byte[] rgb;
                try
                {
                    rgb = ImageDecoder.DecodeRgb(ImageDecoder.ReadFile(path), path, size, options.Resize, options.MaxPixels, out grey[index]);
                }
                catch (ImageDataException e) when (options.SkipBadImages)
                {
                    failed[index] = Reason(e);
                    rgb = new byte[3 * size * size];
                }
                return (tensor(rgb, [3L, size, size]), tensor(index));
            }
        }
    }
}
