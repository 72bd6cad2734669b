using Trainwright.Data;

namespace Trainwright.Tests.Data.Idx;

/// <summary>
/// The cache of decompressed IDX files (issue 13, start-up): a second read of an unchanged .gz comes from the entry, a
/// changed file is read again, a damaged or truncated entry is rebuilt rather than failing, and the cache never stops a
/// read. Files are 1,400 random 28x28 images (1.1 MB, just over the size cached).
/// </summary>
public sealed class DecompressedIdxCacheTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("tw-idx-cache-").FullName;
    private string Cache => Path.Combine(root, "cache");
    private string Gz => Path.Combine(root, "train-images-idx3-ubyte.gz");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static byte[] Pixels(int seed, int count = 1400)
    {
        var pixels = new byte[count * 28 * 28];
        new Random(seed).NextBytes(pixels);
        return pixels;
    }

    /// <summary>Writes the .gz and dates it <paramref name="age"/> back (a file written just now is not cached yet).</summary>
    private void WriteGz(byte[] pixels, TimeSpan age)
    {
        IdxWriter.Write(Gz, IdxData.From(pixels, pixels.Length / 784, 28, 28), gzip: true);
        File.SetLastWriteTimeUtc(Gz, DateTime.UtcNow - age);
    }

    private string[] Entries() => Directory.Exists(Cache) ? Directory.GetFiles(Cache, "*" + DecompressedIdxCache.Extension) : [];

    [Fact]
    public void The_second_read_comes_from_the_entry_which_holds_the_plain_idx_bytes()
    {
        var pixels = Pixels(1);
        WriteGz(pixels, TimeSpan.FromHours(1));
        var first = DecompressedIdxCache.Read(Gz, Cache);
        Assert.Equal(pixels, (byte[])first.Values);
        var entry = Assert.Single(Entries());
        Assert.Equal(IdxWriter.Encode(first), File.ReadAllBytes(entry));

        // Change one pixel in the entry itself: the next read returns it, so it did not decompress the .gz again.
        var bytes = File.ReadAllBytes(entry);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(entry, bytes);
        var second = DecompressedIdxCache.Read(Gz, Cache);
        Assert.Equal((byte)(pixels[^1] ^ 0xFF), ((byte[])second.Values)[^1]);
        Assert.Equal([1400, 28, 28], second.Dimensions);
    }

    [Fact]
    public void A_changed_gz_is_read_again_not_served_from_the_old_entry()
    {
        WriteGz(Pixels(1), TimeSpan.FromHours(2));
        DecompressedIdxCache.Read(Gz, Cache);
        var changed = Pixels(2);
        WriteGz(changed, TimeSpan.FromHours(1)); // same name and size, other content and time
        Assert.Equal(changed, (byte[])DecompressedIdxCache.Read(Gz, Cache).Values);
        Assert.Equal(2, Entries().Length);
        Assert.Equal(changed, (byte[])DecompressedIdxCache.Read(Gz, Cache).Values);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("garbage")]
    [InlineData("empty")]
    public void A_damaged_entry_is_rebuilt_from_the_gz_instead_of_failing(string damage)
    {
        var pixels = Pixels(3);
        WriteGz(pixels, TimeSpan.FromHours(1));
        DecompressedIdxCache.Read(Gz, Cache);
        var entry = Assert.Single(Entries());
        var good = File.ReadAllBytes(entry);
        File.WriteAllBytes(entry, damage switch
        {
            "truncated" => good[..(good.Length / 2)],
            "garbage" => Pixels(4, 100),
            _ => [],
        });

        Assert.Equal(pixels, (byte[])DecompressedIdxCache.Read(Gz, Cache).Values);
        Assert.Equal(good, File.ReadAllBytes(Assert.Single(Entries())));
    }

    [Fact]
    public void Small_files_and_files_written_just_now_are_not_cached()
    {
        WriteGz(Pixels(5, count: 100), TimeSpan.FromHours(1)); // 78 KB of pixels
        Assert.Equal(100, DecompressedIdxCache.Read(Gz, Cache).Dimensions[0]);
        Assert.Empty(Entries());

        WriteGz(Pixels(6), TimeSpan.Zero); // could still change within the same timestamp tick
        Assert.Equal(Pixels(6), (byte[])DecompressedIdxCache.Read(Gz, Cache).Values);
        Assert.Empty(Entries());
    }

    [Fact]
    public void An_unwritable_cache_folder_only_means_decompressing_every_time()
    {
        var pixels = Pixels(7);
        WriteGz(pixels, TimeSpan.FromHours(1));
        File.WriteAllText(Cache, "a file where the folder should be");
        Assert.Equal(pixels, (byte[])DecompressedIdxCache.Read(Gz, Cache).Values);
        Assert.Equal(pixels, (byte[])DecompressedIdxCache.Read(Gz, Cache).Values);
        Assert.True(File.Exists(Cache));
    }

    [Fact]
    public void A_corrupt_gz_is_reported_under_its_own_name_and_leaves_no_entry()
    {
        WriteGz(Pixels(8), TimeSpan.FromHours(1));
        var bytes = File.ReadAllBytes(Gz);
        File.WriteAllBytes(Gz, bytes[..(bytes.Length / 2)]);
        File.SetLastWriteTimeUtc(Gz, DateTime.UtcNow - TimeSpan.FromHours(1));
        var error = Assert.Throws<IdxFormatException>(() => DecompressedIdxCache.Read(Gz, Cache));
        Assert.Contains(Gz, error.Message, StringComparison.Ordinal);
        Assert.Empty(Entries());
    }

    [Fact]
    public void Only_the_newest_entries_are_kept()
    {
        for (int i = 0; i < DecompressedIdxCache.MaxEntries + 2; i++)
        {
            WriteGz(Pixels(10 + i), TimeSpan.FromHours(10 - i)); // each write is another file version
            DecompressedIdxCache.Read(Gz, Cache);
        }
        Assert.Equal(DecompressedIdxCache.MaxEntries, Entries().Length);
        // The newest version is among them and still served.
        Assert.Equal(Pixels(10 + DecompressedIdxCache.MaxEntries + 1), (byte[])DecompressedIdxCache.Read(Gz, Cache).Values);
    }

    [Fact]
    public void MnistData_reads_the_same_tensors_through_the_cache()
    {
        var folder = Path.Combine(root, "mnist");
        Directory.CreateDirectory(folder);
        var train = Pixels(20);
        var labels = new byte[1400];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)(i % 10);
        IdxWriter.Write(Path.Combine(folder, MnistData.TrainImagesName + ".gz"), IdxData.From(train, 1400, 28, 28));
        IdxWriter.Write(Path.Combine(folder, MnistData.TrainLabelsName + ".gz"), IdxData.From(labels, 1400));
        IdxWriter.Write(Path.Combine(folder, MnistData.TestImagesName + ".gz"), IdxData.From(Pixels(21, 20), 20, 28, 28));
        IdxWriter.Write(Path.Combine(folder, MnistData.TestLabelsName + ".gz"), IdxData.From(labels[..20], 20));
        foreach (var f in Directory.GetFiles(folder)) File.SetLastWriteTimeUtc(f, DateTime.UtcNow - TimeSpan.FromHours(1));

        var cached = new MnistOptions { DecompressedCacheFolder = Cache, MaxTrainItems = 50 };
        using var plain = MnistData.Load(folder, cached with { CacheDecompressedFiles = false });
        Assert.Empty(Entries());
        using var filling = MnistData.Load(folder, cached);
        Assert.Single(Entries()); // the training images; the others are under the size cached
        using var fromCache = MnistData.Load(folder, cached);
        foreach (var data in new[] { filling, fromCache })
        {
            Assert.True(plain.TrainX.Equals(data.TrainX) && plain.ValidX.Equals(data.ValidX) && plain.TestX.Equals(data.TestX));
            Assert.True(plain.TrainY.Equals(data.TrainY) && plain.ValidY.Equals(data.ValidY));
        }
    }
}
