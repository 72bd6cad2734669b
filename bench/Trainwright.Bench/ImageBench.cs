using System.Diagnostics;
using System.Globalization;
using SkiaSharp;
using Trainwright.Augment;
using Trainwright.Data;
using Trainwright.Data.Images;
using Trainwright.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// Image folders (issue 10, section 6): decode throughput against a bare SkiaSharp loop, decode workers, a cached epoch
/// against an in-memory IDX-style epoch, the augmentation's share of a CNN step, and resident memory of a cached set.
/// <c>TRAINWRIGHT_BENCH_SMOKE=1</c> shrinks every size so the code can be checked quickly; its figures mean nothing.
/// </summary>
public static class ImageBench
{
    private static bool Smoke => Environment.GetEnvironmentVariable("TRAINWRIGHT_BENCH_SMOKE") == "1";

    public static IEnumerable<Comparison> RunComparisons()
    {
        var root = Path.Combine(Path.GetTempPath(), $"trainwright-imagebench-{Environment.ProcessId}");
        try
        {
            int small = Smoke ? 64 : 5000, large = Smoke ? 16 : 500;
            var pngs = WriteFolder(Path.Combine(root, "png28"), small, 28, 28, 1, SKEncodedImageFormat.Png);
            var jpegs = WriteFolder(Path.Combine(root, "jpeg256"), large, 256, 256, 3, SKEncodedImageFormat.Jpeg);
            var sets = new[] { ("28×28 PNG", pngs, 28), ("256×256 JPEG", jpegs, 256) };
            foreach (var (name, folder, size) in sets)
                yield return DecodeVsBareLoop(name, folder, size);
            yield return DefaultSizeVsBareLoop("28×28 PNG", pngs);
            yield return ScanVsBareLoop("28×28 PNG", pngs);
            foreach (var (name, folder, _) in sets)
            {
                yield return WorkersVsNone(name, folder);
                yield return BareTwoThreadsVsOne(name, folder);
            }
            yield return CachedEpochVsIdx(pngs, Path.Combine(root, "cache"));
            foreach (int size in new[] { 28, 64 })
                yield return AugmentShareOfStep(size);
            yield return CropBatchVsTensorOps();
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    public static IEnumerable<Figure> RunMemory()
    {
        var root = Path.Combine(Path.GetTempPath(), $"trainwright-imagebench-mem-{Environment.ProcessId}");
        try
        {
            int count = Smoke ? 200 : 100_000;
            var folder = WriteFolder(Path.Combine(root, "rgb64"), count, 64, 64, 3, SKEncodedImageFormat.Png);
            var options = new ImageFolderOptions { CacheFolder = Path.Combine(root, "cache"), Size = 64, Channels = 3 };
            // First load decodes and writes the cache; the measured process state is after a second, cached load.
            ImageFolderData.Load(folder, options).Dispose();
            GC.Collect();
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            long before = self.WorkingSet64;
            using var data = ImageFolderData.Load(folder, options);
            var bunch = data.ToDataBunch(batchSize: 256, seed: 1);
            foreach (var batch in bunch.Train) batch.Dispose();
            foreach (var batch in bunch.Valid) batch.Dispose();
            self.Refresh();
            long tensorBytes = (long)count * 3 * 64 * 64;
            long grown = self.WorkingSet64 - before;
            yield return new Figure($"RSS growth over a cached epoch, {count:N0} 64×64 RGB images (MiB)",
                (grown / 1048576.0).ToString("F0", CultureInfo.InvariantCulture),
                $"uint8 tensor {tensorBytes / 1048576.0:F0} MiB", "≤ 1.5× the tensor", grown <= 1.5 * tensorBytes);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    // Class k's images: noise around 40·k, so the set is not trivially compressible.
    private static string WriteFolder(string folder, int count, int width, int height, int channels, SKEncodedImageFormat format)
    {
        var random = new Random(1);
        var ext = format == SKEncodedImageFormat.Jpeg ? "jpg" : "png";
        var colorType = channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, colorType, SKAlphaType.Opaque));
        for (int i = 0; i < count; i++)
        {
            int label = i % 4;
            var span = bitmap.GetPixelSpan();
            random.NextBytes(span);
            for (int p = 0; p < span.Length; p++) span[p] = (byte)(40 * label + span[p] / 4);
            if (channels == 3) for (int p = 3; p < span.Length; p += 4) span[p] = 255;
            var path = Path.Combine(folder, $"class{label}", $"{i:000000}.{ext}");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var data = bitmap.Encode(format, 90);
            File.WriteAllBytes(path, data.ToArray());
        }
        return folder;
    }

    private static Comparison DecodeVsBareLoop(string name, string folder, int size)
    {
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        var options = new ImageFolderOptions { UseCache = false, DecodeWorkers = 0, Size = size, Resize = ResizeMethod.Squish };
        void Ours() => ImageFolderData.Load(folder, options).Dispose();
        void Bare() => BareDecode(files);
        var (ours, bare) = Interleaved.Time(Ours, Bare, repetitions: Smoke ? 2 : 5);
        return new Comparison($"Decode {files.Length:N0} {name} (images/s = {files.Length / (Stats.Median(ours) / 1000):F0}), no workers",
            "ImageFolderData.Load, no cache", "SKBitmap.Decode loop", ours, bare, "≤ 1.30×",
            Stats.Median(ours) / Stats.Median(bare) <= 1.30);
    }

    // Without --size the default size is the median of every header, so a header pass runs before the decode.
    private static Comparison DefaultSizeVsBareLoop(string name, string folder)
    {
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        var options = new ImageFolderOptions { UseCache = false, DecodeWorkers = 0 };
        void Bare() => BareDecode(files);
        var (ours, bare) = Interleaved.Time(() => ImageFolderData.Load(folder, options).Dispose(), Bare, repetitions: Smoke ? 2 : 5);
        return new Comparison($"Decode {files.Length:N0} {name}, size from the data (header pass + decode, crop), no workers",
            "ImageFolderData.Load, no cache, no Size", "SKBitmap.Decode loop", ours, bare, "(context)", true);
    }

    // What our side does before any decode and the bare loop does not time (it lists the files outside the loop):
    // listing the class folders and drawing the split.
    private static Comparison ScanVsBareLoop(string name, string folder)
    {
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        var options = new ImageFolderOptions { UseCache = false, DecodeWorkers = 0 };
        void Bare() => BareDecode(files);
        var (scan, bare) = Interleaved.Time(() => ImageFolderScanner.Scan(folder, options), Bare, repetitions: Smoke ? 2 : 5);
        return new Comparison($"Scan of the {files.Length:N0} {name} folder (list, split) against the bare decode loop, no workers",
            "ImageFolderScanner.Scan", "SKBitmap.Decode loop", scan, bare, "(context: part of the first row's ours)", true);
    }

    private static Comparison WorkersVsNone(string name, string folder)
    {
        var none = new ImageFolderOptions { UseCache = false, DecodeWorkers = 0 };
        var two = none with { DecodeWorkers = 2 };
        var (withTwo, withNone) = Interleaved.Time(() => ImageFolderData.Load(folder, two).Dispose(),
            () => ImageFolderData.Load(folder, none).Dispose(), repetitions: Smoke ? 2 : 5);
        return new Comparison($"Decode {name} folder, 2 workers vs 0", "DecodeWorkers = 2", "DecodeWorkers = 0",
            withTwo, withNone, "≤ 0.625× (≥ 1.6× faster)", Stats.Median(withTwo) / Stats.Median(withNone) <= 0.625);
    }

    // The baseline a user would write: read each file and decode it with SkiaSharp, nothing kept.
    private static void BareDecode(IEnumerable<string> files)
    {
        foreach (var f in files) DecodeOne(f);
    }

    private static void DecodeOne(string file)
    {
        using var bitmap = SKBitmap.Decode(File.ReadAllBytes(file));
    }

    // The machine's own ceiling for the row above: the bare Skia loop on two threads against one.
    private static Comparison BareTwoThreadsVsOne(string name, string folder)
    {
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        var two = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        var (parallel, serial) = Interleaved.Time(() => Parallel.ForEach(files, two, DecodeOne),
            () => BareDecode(files), repetitions: Smoke ? 2 : 5);
        return new Comparison($"Bare SKBitmap.Decode loop over the {name} files, 2 threads vs 1 (the machine's ceiling)",
            "Parallel.ForEach, 2 threads", "foreach", parallel, serial, "(context)", true);
    }

    private static Comparison CachedEpochVsIdx(string folder, string cache)
    {
        var options = new ImageFolderOptions { CacheFolder = cache };
        ImageFolderData.Load(folder, options).Dispose(); // fills the cache
        using var data = ImageFolderData.Load(folder, options);
        var images = data.ToDataBunch(batchSize: 64, seed: 1);
        // The IDX route: the same pixels already normalised as float tensors in memory (what an IDX load produces).
        using var x = data.Preprocessing.Normalize(data.Train.X);
        using var y = data.Train.Y.clone();
        var idx = DataBunch.FromDatasets(new TensorPairDataset(x, y), new TensorPairDataset(x, y), 64, c: data.C, seed: 1);
        // An epoch of 4,000 items takes about 2 ms: each timed round runs ten, so a round outlasts the machine's hiccups.
        const int epochsPerRound = 10;
        void Cached()
        {
            for (int e = 0; e < epochsPerRound; e++)
                foreach (var batch in images.Train)
                    using (batch)
                    using (var input = data.Preprocessing.Normalize(batch.Xb)) { }
        }
        void Idx()
        {
            for (int e = 0; e < epochsPerRound; e++)
                foreach (var batch in idx.Train) batch.Dispose();
        }
        var (cached, idxMs) = Interleaved.Time(Cached, Idx, repetitions: Smoke ? 3 : 15, warmup: 2);
        return new Comparison($"Training epochs from the decode cache vs in-memory IDX tensors, {data.TrainCount:N0} 28×28, bs 64, {epochsPerRound} a round",
            "mapped uint8 cache + Normalize per batch", "float TensorPairDataset", cached, idxMs, "≤ 1.50×",
            Stats.Median(cached) / Stats.Median(idxMs) <= 1.50);
    }

    private static Comparison AugmentShareOfStep(int size)
    {
        int batch = Smoke ? 16 : 128;
        manual_seed(1);
        var model = Cnn.Create(3, 10);
        var opt = torch.optim.SGD(model.parameters(), 0.01);
        using var images = randint(0, 256, [batch, 3, size, size], dtype: ScalarType.Byte);
        using var labels = randint(0, 10, [batch], dtype: ScalarType.Int64);
        var preprocessing = new ImagePreprocessing(size, ResizeMethod.Squish, 3, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]);
        int step = 0;
        void Step(bool augment)
        {
            using var scope = NewDisposeScope();
            var x = augment ? ImageAugmenter.Apply(images, AugmentOptions.Default, ImageAugmenter.BatchRandom(1, 0, step++)) : images;
            var input = preprocessing.Normalize(x);
            var loss = nn.functional.cross_entropy(model.call(input), labels);
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        int steps = Smoke ? 1 : 5;
        var (withAug, without) = Interleaved.Time(() => { for (int i = 0; i < steps; i++) Step(true); },
            () => { for (int i = 0; i < steps; i++) Step(false); }, repetitions: Smoke ? 2 : 11);
        return new Comparison($"CNN step with default augmentation vs without, {size}×{size}, bs {batch}", "augment + step", "step",
            withAug, without, "≤ 1.15× (augmentation ≤ 15% of the step)", Stats.Median(withAug) / Stats.Median(without) <= 1.15);
    }

    /// <summary>
    /// A training batch of random crops (<c>--resize crop</c>): the dataset's gather, which copies rows from memory, against
    /// the same crops cut by tensor operations (an item's crop, then a stack), on 3×64 crops of 3×64×80 rows, a quarter
    /// of them portraits stored transposed.
    /// </summary>
    private static Comparison CropBatchVsTensorOps()
    {
        using var scope = NewDisposeScope();
        const int rows = 2048, size = 64, width = 80, batch = 64;
        manual_seed(3);
        var x = randint(0, 256, [rows, 3, size, width], dtype: ScalarType.Byte);
        var y = randint(0, 10, [rows], dtype: ScalarType.Int64);
        var lengths = Enumerable.Range(0, rows).Select(i => i % 4 == 3 ? -width : width).ToArray();
        var crops = new RandomCropDataset(x, y, lengths, size, seed: 1);
        var random = new Random(7);
        var batches = Enumerable.Range(0, 32).Select(_ => Enumerable.Range(0, batch).Select(_ => random.Next(rows)).ToArray()).ToArray();
        int epoch = 0;
        void Ours()
        {
            epoch++;
            foreach (var indices in batches) crops.Gather(indices, epoch).Dispose();
        }
        void ByTensorOps()
        {
            epoch++;
            foreach (var indices in batches)
            {
                using var inner = NewDisposeScope();
                var items = indices.Select(i => crops.At(i, epoch)).ToArray();
                stack(items.Select(t => t.X));
                stack(items.Select(t => t.Y));
            }
        }
        var (ours, baseline) = Interleaved.Time(Ours, ByTensorOps, repetitions: Smoke ? 2 : 11);
        return new Comparison($"32 random-crop batches of {batch}, 3×{size}×{size} from 3×{size}×{width} rows (a quarter transposed)",
            "RandomCropDataset.Gather (row copies)", "the same crops by tensor ops (At + stack)", ours, baseline, "(reported)", true);
    }
}
