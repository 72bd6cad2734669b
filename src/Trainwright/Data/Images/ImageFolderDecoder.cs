using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data.Images;

/// <summary>
/// The first read of an image folder: every image decoded and resized once, straight into one uint8 tensor, by
/// <see cref="ImageFolderOptions.DecodeWorkers"/> threads, with the training split's per-channel statistics summed on
/// the way. Headers are read in a pass of their own only when no size is given (the default size is their median),
/// and then of at most 1,000 files spread over the folder.
/// </summary>
internal static class ImageFolderDecoder
{
    // Images a thread takes at a time: small enough to balance two threads, large enough that the counter is cold.
    private const int Block = 16;

    // Headers read to choose the default size (all of them in a folder this small).
    private const int HeaderSample = 1000;

    // Headers read to see how far training images' long sides reach (random crops), when the size is given.
    private const int AspectSample = 256;

    /// <summary>Decodes the folder: the training rows (wider than <see cref="DecodedImagesInfo.Size"/> when they keep
    /// their long side for random crops) and the validation and test rows, each [n, channels, size, width].</summary>
    public static (DecodedImagesInfo Info, Tensor Train, Tensor Others) Decode(ImageFolderScan scan, ImageFolderOptions options)
    {
        var skipped = new List<SkippedImage>(scan.Skipped);
        IReadOnlyList<ImageFile> files = scan.Files;
        int size;
        List<ImageSize>? sampled = null;
        if (options.Size is int given)
        {
            size = given;
        }
        else
        {
            // The default size is a median of sizes, so headers come first: of every file in a folder of up to
            // HeaderSample images, else of HeaderSample spread evenly over it (a median that close costs no pass over
            // a large folder). A bad file among them stops the run here, or (skipping) is left to the decode.
            sampled = SampleHeaders(files, HeaderSample, options, scan.Root);
            size = DefaultSize(sampled);
        }
        // Training rows keep the long side for random crops only as far as the folder's images need (a header sample
        // tells): square data is stored square, at no extra memory.
        int wide = size;
        if (options.Resize == ResizeMethod.Crop && options.TrainCropAspect > 1)
        {
            sampled ??= SampleHeaders(files, AspectSample, options, scan.Root);
            int cap = Math.Max(size, (int)Math.Round(size * options.TrainCropAspect));
            wide = Math.Clamp(sampled.Max(s => (int)Math.Round((double)size * Math.Max(s.Width, s.Height) / Math.Min(s.Width, s.Height))), size, cap);
        }

        // Files list the training images first.
        int trainFiles = files.TakeWhile(f => f.Split == ImageSplit.Train).Count();
        using var train = empty([trainFiles, 3, size, wide], ScalarType.Byte);
        using var rest = empty([files.Count - trainFiles, 3, size, size], ScalarType.Byte);
        var group = options.Communicator is { Size: > 1 } c ? c : null;
        // Under a group, this process decodes its contiguous share of the files and the shares are exchanged.
        int from = group is null ? 0 : (int)((long)files.Count * group.Rank / group.Size);
        int to = group is null ? files.Count : (int)((long)files.Count * (group.Rank + 1) / group.Size);
        var outcomes = DecodeAll(files, from, to, trainFiles, size, wide, options, train, rest);
        if (group is not null) ImageShareExchange.Exchange(group, files.Count, trainFiles, outcomes, train, rest, options.SkipBadImages);
        if (!options.SkipBadImages && outcomes.FirstOrDefault(o => o.Error is not null).Error is { } firstBad)
            throw WithAdvice(firstBad);
        var keep = Enumerable.Range(0, files.Count).Where(i => outcomes[i].Error is null).ToArray();
        foreach (var i in Enumerable.Range(0, files.Count).Where(i => outcomes[i].Error is not null))
            skipped.Add(new(files[i].Path, Reason(outcomes[i].Error!)));
        if (keep.Length == 0)
            throw new ImageDataException($"None of the {scan.Files.Count} images under '{scan.Root}' could be decoded (first: {skipped[0]}).", scan.Root);
        var kept = keep.Select(i => files[i]).ToArray();
        foreach (var split in new[] { ImageSplit.Train, ImageSplit.Valid })
            if (!kept.Any(f => f.Split == split))
                throw new ImageDataException($"After skipping bad images, the {split.ToString().ToLowerInvariant()} split of '{scan.Root}' has no images left.", scan.Root);

        var keptTrain = keep.Where(i => i < trainFiles).ToArray();
        var keptRest = keep.Where(i => i >= trainFiles).Select(i => i - trainFiles).ToArray();
        // Only as wide as the longest kept training image needs: square data stays square.
        int width = keptTrain.Select(i => outcomes[i].Length).DefaultIfEmpty(size).Max();
        bool allGrey = keep.All(i => outcomes[i].Grey);
        int channels = options.Channels ?? (allGrey ? 1 : 3);
        var trainPixels = Finish(train, keptTrain, channels, allGrey, width);
        var restPixels = Finish(rest, keptRest, channels, allGrey, size);
        int[] lengths = width == size ? [] : keptTrain.Select(i => outcomes[i].Transposed ? -outcomes[i].Length : outcomes[i].Length).ToArray();
        int valid = kept.Count(f => f.Split == ImageSplit.Valid);
        var (mean, std) = channels == 3 || allGrey
            // Grey images have R = G = B, so their luma is the red plane, whose sums the decode already has.
            ? Stats(keptTrain.Aggregate(default(PixelSums), (s, i) => s + outcomes[i].Sums), keptTrain.Sum(i => (long)outcomes[i].Length) * size, channels)
            : ChannelStats(trainPixels, lengths);
        var info = new DecodedImagesInfo(size, channels, kept.Select(f => f.Label).ToArray(), keptTrain.Length, valid, keptRest.Length - valid,
            [.. skipped], ImageSizeStats.Of(keep.Select(i => outcomes[i].Shown).ToArray()), mean, std, width, lengths);
        return (info, trainPixels, restPixels);
    }

    /// <summary>The default square side: the median short side, clamped to 224, or 28 for data of 32 px or less.</summary>
    public static int DefaultSize(IReadOnlyCollection<ImageSize> sizes)
    {
        var shortSides = sizes.Select(s => Math.Min(s.Width, s.Height)).Order().ToArray();
        int median = shortSides[(shortSides.Length - 1) / 2];
        return median <= 32 ? 28 : Math.Min(median, 224);
    }

    // The kept rows with the run's channels, <paramref name="width"/> columns wide; the decoded tensor itself when nothing changes.
    private static Tensor Finish(Tensor all, int[] keep, int channels, bool allGrey, int width)
    {
        bool everyRow = keep.Length == all.shape[0];
        if (channels == 3 && everyRow && width == all.shape[3]) return all.alias();
        if (channels == 3 || allGrey)
            return CopyRows(all, keep, channels, width);
        using var scope = NewDisposeScope();
        var rows = everyRow ? all : all.index_select(0, tensor(keep.Select(i => (long)i).ToArray()));
        if (width < all.shape[3]) rows = rows.narrow(3, 0, width);
        return ImagePreprocessing.ToChannels(rows, 1).contiguous().MoveToOuterDisposeScope();
    }

    // The first <paramref name="channels"/> planes of the kept rows, the first <paramref name="width"/> columns of each
    // line, copied in memory: torch's copy would wake its OpenMP team, whose threads then spin on the cores a decode
    // that follows wants. (Grey images have R = G = B, so their single channel is the red plane.)
    private static unsafe Tensor CopyRows(Tensor all, int[] keep, int channels, int width)
    {
        long height = all.shape[2], stride = all.shape[3];
        var result = empty([keep.Length, channels, height, width], ScalarType.Byte);
        if (keep.Length == 0 || height == 0 || width == 0) return result;
        byte* from, to;
        using (NewDisposeScope())
        {
            from = (byte*)RowCopy.BasePointer(all);
            to = (byte*)RowCopy.BasePointer(result);
        }
        long fromPlane = height * stride, fromRow = 3 * fromPlane, toPlane = height * width;
        for (int k = 0; k < keep.Length; k++)
            for (int c = 0; c < channels; c++)
            {
                byte* source = from + keep[k] * fromRow + c * fromPlane, target = to + (k * (long)channels + c) * toPlane;
                if (width == stride)
                    Buffer.MemoryCopy(source, target, toPlane, toPlane);
                else
                    for (long y = 0; y < height; y++)
                        Buffer.MemoryCopy(source + y * stride, target + y * width, width, width);
            }
        return result;
    }

    private static (float[] Mean, float[] Std) Stats(PixelSums sums, long count, int channels)
    {
        long[] s = [sums.R, sums.G, sums.B], q = [sums.RR, sums.GG, sums.BB];
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = s[c] / 255.0 / count;
            mean[c] = (float)m;
            std[c] = Std(q[c] / (255.0 * 255.0) / count, m);
        }
        return (mean, std);
    }

    // A constant channel would divide by zero; 1 leaves it centred but unscaled.
    private static float Std(double meanOfSquares, double mean)
    {
        double sd = Math.Sqrt(Math.Max(0, meanOfSquares - mean * mean));
        return sd > 1e-6 ? (float)sd : 1f;
    }

    // The displayed sizes of up to <paramref name="count"/> files spread evenly over the list.
    private static List<ImageSize> SampleHeaders(IReadOnlyList<ImageFile> files, int count, ImageFolderOptions options, string root)
    {
        int n = Math.Min(files.Count, count);
        var sample = Enumerable.Range(0, n).Select(k => files[(int)((long)k * files.Count / n)]).ToList();
        var sizes = ReadHeaders(sample, options).OfType<ImageHeader>().Select(h => h.Size).ToList();
        if (sizes.Count == 0)
            throw new ImageDataException($"None of the {sample.Count} images read under '{root}' has a readable header (e.g. '{sample[0].Path}'); check that they are images.", root);
        return sizes;
    }

    private static ImageHeader?[] ReadHeaders(IReadOnlyList<ImageFile> files, ImageFolderOptions options)
    {
        var headers = new ImageHeader?[files.Count];
        var errors = new ImageDataException?[files.Count];
        var clock = Stopwatch.StartNew();
        const int block = 256;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.DecodeWorkers) };
        for (int start = 0; start < files.Count; start += block)
        {
            int end = Math.Min(files.Count, start + block);
            Parallel.For(start, end, parallel, () => new ImageDecodeScratch(1, 1), (i, _, scratch) =>
            {
                try { headers[i] = ImageDecoder.ReadHeader(files[i].Path, options.MaxPixels, scratch); }
                catch (ImageDataException e) { errors[i] = e; }
                return scratch;
            }, scratch => scratch.Dispose());
            if (!options.SkipBadImages && errors.FirstOrDefault(e => e is not null) is { } error) throw WithAdvice(error);
            options.Progress?.Report(new("Reading headers", end, files.Count, clock.Elapsed));
        }
        return headers;
    }

    /// <summary>What decoding one file gave: its size as displayed, whether it is grey, the columns written and whether
    /// they are transposed, its pixel sums, or the reason it could not be used.</summary>
    internal readonly record struct Outcome(ImageSize Shown, bool Grey, int Length, bool Transposed, PixelSums Sums, ImageDataException? Error);

    /// <summary>
    /// Decodes every file into its row: the first <paramref name="trainFiles"/> into <paramref name="train"/> ([n, 3,
    /// size, wide]), the others into <paramref name="rest"/> ([n, 3, size, size]), both contiguous. Threads take
    /// blocks of files in order; the caller's thread reports progress (or decodes, without workers). Without
    /// <see cref="ImageFolderOptions.SkipBadImages"/> the first bad file in order stops the decode and is thrown.
    /// </summary>
    private static unsafe Outcome[] DecodeAll(IReadOnlyList<ImageFile> files, int from, int to, int trainFiles, int size, int wide,
        ImageFolderOptions options, Tensor train, Tensor rest)
    {
        var outcomes = new Outcome[files.Count];
        byte* trainRows, restRows;
        using (NewDisposeScope())
        {
            trainRows = trainFiles == 0 ? null : (byte*)RowCopy.BasePointer(train);
            restRows = trainFiles == files.Count ? null : (byte*)RowCopy.BasePointer(rest);
        }
        long trainRowBytes = 3L * size * wide, restRowBytes = 3L * size * size;
        int next = from, done = 0, limit = to, share = to - from;
        Exception? crash = null;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;

        void Report(bool final)
        {
            if (options.Progress is null || (!final && clock.Elapsed - lastReport < TimeSpan.FromMilliseconds(250))) return;
            lastReport = clock.Elapsed;
            options.Progress.Report(new("Decoding", Volatile.Read(ref done), share, clock.Elapsed));
        }

        void Work(bool reports)
        {
            try
            {
                using var wideScratch = new ImageDecodeScratch(wide, size);
                using var squareScratch = new ImageDecodeScratch(size, size);
                while (true)
                {
                    int start = Interlocked.Add(ref next, Block) - Block;
                    if (start >= Volatile.Read(ref limit)) return;
                    int end = Math.Min(to, start + Block);
                    for (int i = start; i < end; i++)
                    {
                        var outcome = i < trainFiles
                            ? DecodeOne(files[i].Path, wide, options, wideScratch, trainRows + i * trainRowBytes)
                            : DecodeOne(files[i].Path, size, options, squareScratch, restRows + (i - trainFiles) * restRowBytes);
                        outcomes[i] = outcome;
                        if (outcome.Error is not null && !options.SkipBadImages) Min(ref limit, i);
                    }
                    Interlocked.Add(ref done, end - start);
                    if (reports) Report(final: false);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref crash, e, null);
                Volatile.Write(ref limit, -1);
            }
        }

        if (options.DecodeWorkers == 0)
        {
            Work(reports: true);
        }
        else
        {
            var threads = Enumerable.Range(0, options.DecodeWorkers)
                .Select(k => new Thread(() => Work(reports: false)) { IsBackground = true, Name = $"image decode {k}" }).ToArray();
            foreach (var t in threads) t.Start();
            foreach (var t in threads)
                while (!t.Join(100)) Report(final: false);
        }
        if (crash is not null) ExceptionDispatchInfo.Capture(crash).Throw();
        if (options.SkipBadImages || outcomes.All(o => o.Error is null)) Report(final: true);
        return outcomes;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per image: a first decode should not run unoptimised code
    private static unsafe Outcome DecodeOne(string path, int stride, ImageFolderOptions options, ImageDecodeScratch scratch, byte* row)
    {
        try
        {
            var data = scratch.ReadFile(path);
            var decoded = ImageDecoder.DecodeInto(data, path, options.Resize, options.MaxPixels, scratch, row, stride, out var shown, out var sums);
            return new(shown, decoded.Grey, decoded.Length, decoded.Transposed, sums, null);
        }
        catch (ImageDataException e)
        {
            return new(default, false, 0, false, default, e);
        }
    }

    private static void Min(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value < seen)
        {
            int was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
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

    // Per-channel mean and standard deviation on the [0, 1] scale of uint8 images, for luma of colour images (the
    // decode's sums are of R, G and B); accumulated in float64 a few images at a time. With lengths, only each row's
    // first |length| columns are image.
    private static (float[] Mean, float[] Std) ChannelStats(Tensor images, int[] lengths)
    {
        int channels = (int)images.shape[1];
        var sum = new double[channels];
        var sumSq = new double[channels];
        long n = images.shape[0], width = images.shape[3];
        double count = 0;
        const int chunk = 64;
        for (long start = 0; start < n; start += chunk)
        {
            using var scope = NewDisposeScope();
            long k = Math.Min(chunk, n - start);
            var x = images.narrow(0, start, k).to_type(ScalarType.Float64).div_(255.0);
            if (lengths.Length > 0)
            {
                var used = tensor(lengths.AsSpan((int)start, (int)k).ToArray().Select(l => (long)Math.Abs(l)).ToArray()).view(k, 1, 1, 1);
                x = x.mul_(arange(width, dtype: ScalarType.Int64).view(1, 1, 1, width).lt(used));
                count += used.sum().ToInt64() * images.shape[2];
            }
            else
            {
                count += k * images.shape[2] * width;
            }
            var s = x.sum([0L, 2L, 3L]).data<double>().ToArray();
            var q = x.square().sum([0L, 2L, 3L]).data<double>().ToArray();
            for (int c = 0; c < channels; c++) { sum[c] += s[c]; sumSq[c] += q[c]; }
        }
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = sum[c] / count;
            mean[c] = (float)m;
            std[c] = Std(sumSq[c] / count, m);
        }
        return (mean, std);
    }
}
