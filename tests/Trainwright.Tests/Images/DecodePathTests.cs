using SkiaSharp;
using Trainwright.Data.Images;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Images;

/// <summary>The lean per-file path of a folder's first read: whole-file reads, the header pass from memory, the random
/// split and the rows kept after a decode, each against an independent reference.</summary>
public class DecodePathTests
{
    [Fact]
    public void Files_of_any_size_read_whole_and_unreadable_ones_are_named()
    {
        using var tmp = new TempFolder();
        var random = new Random(3);
        var buffer = new byte[16]; // small, so reads must grow it
        foreach (int length in new[] { 0, 1, 100, 70_000, 300_000 })
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            var path = tmp.File($"f{length}.bin");
            File.WriteAllBytes(path, bytes);
            int read = FileBytes.Read(path, ref buffer, Array.MaxLength);
            Assert.Equal(bytes, buffer.AsSpan(0, read).ToArray());
        }
        // Longer than both the limit and the buffer: -1, not a partial file.
        var small = new byte[1024];
        Assert.Equal(-1, FileBytes.Read(tmp.File("f70000.bin"), ref small, 1000));
        Assert.Equal(1024, small.Length);
        // Fits the limit though not the buffer: read whole.
        Assert.Equal(100, FileBytes.Read(tmp.File("f100.bin"), ref small, 1000));

        var missing = Assert.Throws<ImageDataException>(() => FileBytes.Read(tmp.File("missing.png"), ref buffer, Array.MaxLength));
        Assert.Contains(tmp.File("missing.png"), missing.Message);
        Directory.CreateDirectory(tmp.File("folder.png"));
        var folder = Assert.Throws<ImageDataException>(() => FileBytes.Read(tmp.File("folder.png"), ref buffer, Array.MaxLength));
        Assert.Contains(tmp.File("folder.png"), folder.Message);
    }

    [Fact]
    public void The_header_pass_reads_small_files_from_memory_as_the_stream_reads_them()
    {
        using var tmp = new TempFolder();
        var random = new Random(5);
        byte[] Noise(int n) { var b = new byte[n]; random.NextBytes(b); return b; }
        var portrait = ImageFiles.Write(tmp.File("portrait.png"), Noise(16 * 32), 16, 32, 1);
        var jpeg = ImageFiles.Encode(Noise(24 * 10 * 3), 24, 10, 3, SKEncodedImageFormat.Jpeg);
        var rotated = tmp.File("rotated.jpg");
        File.WriteAllBytes(rotated, ImageFiles.WithExifOrientation(jpeg, 6)); // a quarter turn: shown 10x24
        var large = ImageFiles.Write(tmp.File("large.png"), Noise(300 * 300 * 3), 300, 300, 3); // noise: well over 64 KiB
        Assert.True(new FileInfo(large).Length > 64 * 1024);
        using var scratch = new ImageDecodeScratch(1, 1);
        foreach (var path in new[] { portrait, rotated, large })
            Assert.Equal(ImageDecoder.ReadHeader(path), ImageDecoder.ReadHeader(path, ImageDecoder.DefaultMaxPixels, scratch));
        Assert.Equal(new ImageSize(10, 24), ImageDecoder.ReadHeader(rotated, ImageDecoder.DefaultMaxPixels, scratch).Size);

        File.WriteAllBytes(tmp.File("empty.png"), []);
        var empty = Assert.Throws<ImageDataException>(() => ImageDecoder.ReadHeader(tmp.File("empty.png"), ImageDecoder.DefaultMaxPixels, scratch));
        Assert.Contains("empty (0 bytes)", empty.Message);
        var bomb = Assert.Throws<ImageDataException>(() => ImageDecoder.ReadHeader(portrait, 100, scratch));
        Assert.Contains("decompression bomb", bomb.Message);
        Assert.Contains(portrait, bomb.Message);
    }

    [Fact]
    public void The_random_split_draws_what_shuffling_the_sorted_paths_draws()
    {
        using var tmp = new TempFolder();
        // "a b" sorts after "a" as a class but before it as a path prefix ("a b/" < "a/"), so the split's path order
        // differs from class order here.
        var classes = new[] { "a", "a b", "c" };
        for (int k = 0; k < classes.Length; k++)
            for (int i = 0; i < 7 + k; i++)
                ImageFiles.Write(tmp.File(classes[k], $"{(i * 7) % 10}{i}.png"), ImageFiles.Filled(4, 4, 1, (byte)i), 4, 4, 1);
        var options = new ImageFolderOptions { Seed = 11, ValidPct = 0.3 };
        var scan = ImageFolderScanner.Scan(tmp.Path, options);

        // The reference: each class's paths sorted, shuffled as strings by one seeded Random, the first share validation.
        var random = new Random(options.Seed);
        var train = new List<ImageFile>();
        var valid = new List<ImageFile>();
        for (int label = 0; label < classes.Length; label++)
        {
            var files = Directory.GetFiles(tmp.File(classes[label])).Order(StringComparer.Ordinal).ToArray();
            random.Shuffle(files);
            int nValid = (int)Math.Round(files.Length * options.ValidPct);
            valid.AddRange(files.Take(nValid).Select(f => new ImageFile(f, label, ImageSplit.Valid)));
            train.AddRange(files.Skip(nValid).Select(f => new ImageFile(f, label, ImageSplit.Train)));
        }
        var expected = train.OrderBy(f => f.Path, StringComparer.Ordinal).Concat(valid.OrderBy(f => f.Path, StringComparer.Ordinal));
        Assert.Equal(expected, scan.Files);
        Assert.Equal(classes, scan.ClassNames);
    }

    [Fact]
    public void Class_folders_listed_by_two_threads_give_the_serial_scan_and_its_first_error()
    {
        using var tmp = new TempFolder();
        for (int k = 0; k < 5; k++)
            for (int i = 0; i < 6 + k; i++)
                ImageFiles.Write(tmp.File($"c{k}", i % 2 == 0 ? "" : "deeper", $"{i}.png"), ImageFiles.Filled(4, 4, 1, (byte)i), 4, 4, 1);
        File.WriteAllText(tmp.File("c3", "notes.txt"), "ignored");
        var serial = ImageFolderScanner.Scan(tmp.Path, new ImageFolderOptions { DecodeWorkers = 0 });
        var parallel = ImageFolderScanner.Scan(tmp.Path, new ImageFolderOptions { DecodeWorkers = 2 });
        Assert.Equal(serial.Files, parallel.Files);
        Assert.Equal((1, 6 + 7 + 8 + 9 + 10), (parallel.IgnoredFiles, parallel.Files.Count));

        // Two classes fail; the one a serial scan meets first is named.
        Directory.CreateSymbolicLink(tmp.File("c1", "back"), tmp.File("c1"));
        Directory.CreateSymbolicLink(tmp.File("c4", "back"), tmp.File("c4"));
        foreach (int workers in new[] { 0, 2 })
        {
            var e = Assert.Throws<ImageDataException>(() => ImageFolderScanner.Scan(tmp.Path, new ImageFolderOptions { DecodeWorkers = workers }));
            Assert.Contains(tmp.File("c1", "back"), e.Message);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Kept_rows_equal_the_hand_decoded_files_serial_and_on_two_workers(int channels)
    {
        using var tmp = new TempFolder();
        var random = new Random(channels);
        var written = new List<(string Path, byte[] Pixels)>();
        foreach (var name in new[] { "a", "b" })
            for (int i = 0; i < 40; i++)
            {
                var px = new byte[12 * 12 * channels];
                random.NextBytes(px);
                written.Add((ImageFiles.Write(tmp.File(name, $"{i:00}.png"), px, 12, 12, channels), px));
            }
        // A wide training image whose data is cut: its header widens the training rows, then the decode skips it, so
        // the kept rows are narrowed back to the square, and a row in the middle of a split goes.
        var wide = ImageFiles.Encode(new byte[16 * 12 * channels].Select((_, i) => (byte)(i * 7)).ToArray(), 16, 12, channels);
        File.WriteAllBytes(tmp.File("a", "05x.png"), wide[..(wide.Length / 2)]);
        var options = new ImageFolderOptions { UseCache = false, Size = 12, SkipBadImages = true, DecodeWorkers = 0 };

        using var serial = ImageFolderData.Load(tmp.Path, options);
        using var parallel = ImageFolderData.Load(tmp.Path, options with { DecodeWorkers = 2 });
        Assert.Single(serial.Skipped);
        Assert.Equal((channels, 12, 12), (serial.Channels, serial.Size, serial.TrainWidth));
        Assert.True(serial.Train.X.Equals(parallel.Train.X));
        Assert.True(serial.Valid.X.Equals(parallel.Valid.X));
        Assert.True(serial.Train.Y.Equals(parallel.Train.Y));

        // Each kept row against the pixels written (PNG is lossless; same size, upright: no resampling), as planes.
        var scan = ImageFolderScanner.Scan(tmp.Path, options);
        var kept = scan.Files.Where(f => !f.Path.EndsWith("05x.png", StringComparison.Ordinal)).ToList();
        Assert.Equal(kept.Count, serial.TrainCount + serial.ValidCount);
        for (int i = 0; i < kept.Count; i++)
        {
            var pixels = written.Single(w => w.Path == kept[i].Path).Pixels;
            var planes = new byte[channels * 144];
            for (int p = 0; p < 144; p++)
                for (int c = 0; c < channels; c++)
                    planes[c * 144 + p] = pixels[channels * p + c];
            var (set, row) = i < serial.TrainCount ? (serial.Train, i) : (serial.Valid, i - serial.TrainCount);
            using var actual = set.X[row];
            using var label = set.Y[row];
            Assert.Equal(planes, actual.data<byte>().ToArray());
            Assert.Equal(kept[i].Label, label.item<long>());
        }
    }
}
