using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using Trainwright.IO;
using static TorchSharp.torch;

namespace Trainwright.Data.Images;

/// <summary>
/// The decode cache: the resized uint8 images of a folder in one raw file (<c>KEY.u8</c>, memory-mapped when read) and
/// what the decode learnt in <c>KEY.json</c>. The key hashes the file list (paths, splits, labels, sizes, modification
/// times) and every setting that changes the pixels, so any change to the data or settings misses the cache. Both files
/// are written to a temporary name and renamed, pixels first: a manifest exists only beside complete pixels.
/// </summary>
internal static class ImageDecodeCache
{
    private const int FormatVersion = 2;

    public static string DefaultFolder()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseFolder = !string.IsNullOrEmpty(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseFolder, "trainwright", "images");
    }

    public static string Key(ImageFolderScan scan, ImageFolderOptions options)
    {
        var text = new StringBuilder();
        text.Append($"v{FormatVersion}|size={options.Size}|resize={options.Resize}|channels={options.Channels}|maxpx={options.MaxPixels}|skip={options.SkipBadImages}|cropaspect={options.TrainCropAspect.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\n");
        text.Append(string.Join('\u001f', scan.ClassNames)).Append('\n');
        foreach (var f in scan.Files)
        {
            var info = new FileInfo(f.Path);
            text.Append($"{f.Split}|{f.Label}|{f.Path}|{info.Length}|{info.LastWriteTimeUtc.Ticks}\n");
        }
        foreach (var s in scan.Skipped) text.Append($"skipped|{s.Path}\n");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32].ToLowerInvariant();
    }

    /// <summary>The cached images (training rows, then validation and test rows) and their info, or null when the
    /// cache has no complete entry for the key.</summary>
    public static (DecodedImagesInfo Info, Tensor Train, Tensor Others)? TryLoad(string folder, string key)
    {
        var manifest = Path.Combine(folder, key + ".json");
        var pixels = Path.Combine(folder, key + ".u8");
        try
        {
            if (!File.Exists(manifest) || !File.Exists(pixels)) return null;
            // Reading a FIFO left in the cache would wait forever: anything but two regular files is a miss.
            if (RegularFile.WhatElse(manifest) is not null || RegularFile.WhatElse(pixels) is not null) return null;
            var info = JsonSerializer.Deserialize<DecodedImagesInfo>(File.ReadAllText(manifest));
            if (info is null || info.Labels is null || info.TrainLengths is null) return null;
            long n = info.Labels.Length, train = info.TrainCount, others = n - train;
            if (n == 0 || train < 0 || others < 0 || info.TrainWidth < info.Size
                || (info.TrainWidth > info.Size && info.TrainLengths.Length != train)) return null;
            long trainBytes = train * info.Channels * info.Size * info.TrainWidth;
            long bytes = trainBytes + others * info.Channels * info.Size * info.Size;
            if (new FileInfo(pixels).Length != bytes) return null;
            // A private (copy-on-write) mapping: pages come from the file as batches touch them, and the OS can drop them again.
            using var flat = from_file(pixels, shared: false, size: bytes, dtype: ScalarType.Byte);
            return (info,
                flat.narrow(0, 0, trainBytes).view(train, info.Channels, info.Size, info.TrainWidth),
                flat.narrow(0, trainBytes, bytes - trainBytes).view(others, info.Channels, info.Size, info.Size));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null; // an unreadable cache is a miss; the images are decoded again
        }
    }

    /// <summary>Writes the entry atomically; false (and nothing left behind) when the folder is not writable.</summary>
    public static bool TrySave(string folder, string key, DecodedImagesInfo info, Tensor train, Tensor others)
    {
        var manifest = Path.Combine(folder, key + ".json");
        var data = Path.Combine(folder, key + ".u8");
        try
        {
            // The pixels first: an entry counts only once its manifest exists, so a crash between the two leaves a miss.
            AtomicFile.Write(data, stream =>
            {
                WriteBytes(stream, train);
                WriteBytes(stream, others);
            }, bufferSize: 1 << 20);
            AtomicFile.WriteText(manifest, JsonSerializer.Serialize(info));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Straight from the tensor's memory, a few megabytes per write: no managed copy of the images.
    private static unsafe void WriteBytes(Stream stream, Tensor pixels)
    {
        if (pixels.numel() == 0) return;
        using var contiguous = pixels.contiguous();
        byte* start;
        using (NewDisposeScope()) start = (byte*)RowCopy.BasePointer(contiguous);
        long total = contiguous.numel();
        const int chunk = 4 << 20;
        for (long at = 0; at < total; at += chunk)
            stream.Write(new ReadOnlySpan<byte>(start + at, (int)Math.Min(chunk, total - at)));
    }
}
