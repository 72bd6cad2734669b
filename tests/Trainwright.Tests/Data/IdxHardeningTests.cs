// Literal arrays make the expected values readable; these tests are not hot paths.
#pragma warning disable CA1861

using Trainwright.Tests.Support;
using System.Diagnostics;
using System.IO.Compression;
using Trainwright.Data;

namespace Trainwright.Tests.Data;

/// <summary>
/// Issue 14, cases 1, 5, 7 and 12 at the library level: sizes are checked (with checked arithmetic) before anything is
/// allocated, gzip is read as a stream, only regular files are opened, and labels go through a bounded vocabulary.
/// </summary>
public sealed class IdxHardeningTests
{
    private static byte[] Header(byte type, params uint[] dims)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (var d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return [.. bytes];
    }

    [Fact]
    public void Dimensions_whose_product_overflows_are_refused_before_any_allocation()
    {
        // [16, 2^30, 2^30] wrapped the element count to 0 before; 16 bytes of data follow.
        var content = Header(0x08, 16, 1u << 30, 1u << 30).Concat(new byte[16]).ToArray();
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Parse(content, "wrap"));
        Assert.Contains("[16, 1073741824, 1073741824]", e.Message, StringComparison.Ordinal);

        var doubles = Header(0x0E, int.MaxValue, int.MaxValue, 3).Concat(new byte[8]).ToArray();
        Assert.Contains("overflows", Assert.Throws<IdxFormatException>(() => IdxReader.Parse(doubles, "double")).Message, StringComparison.Ordinal);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var big = Header(0x08, 1, 40_000, 40_000).Concat(new byte[10]).ToArray(); // declares 1.6 GB, holds 10 bytes
        Assert.Contains("truncated data", Assert.Throws<IdxFormatException>(() => IdxReader.Parse(big, "big")).Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated for a size it had not checked");
    }

    [Fact]
    public void A_gzip_file_claiming_far_more_data_than_it_holds_costs_no_memory_and_a_gzip_bomb_is_read_as_a_stream()
    {
        using var dir = new TempFolder();
        var liar = dir.File("liar.gz");
        using (var z = new GZipStream(File.Create(liar), CompressionLevel.Fastest))
            z.Write(Header(0x08, 1, 30_000, 30_000).Concat(new byte[1000]).ToArray()); // declares 900 MB
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(liar));
        Assert.Contains("truncated data", e.Message, StringComparison.Ordinal);
        Assert.Contains("only 1000 bytes follow", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20, "a truncated gzip made the reader allocate its declared size");

        // 64 MB of zeros compresses to ~64 KB: reading it costs about the data itself, not several copies of it.
        var bomb = dir.File("bomb.gz");
        const int n = 64 << 20;
        using (var z = new GZipStream(File.Create(bomb), CompressionLevel.Optimal))
        {
            z.Write(Header(0x08, n));
            var zeros = new byte[1 << 20];
            for (int i = 0; i < n / zeros.Length; i++) z.Write(zeros);
        }
        Assert.True(new FileInfo(bomb).Length < 1 << 20);
        before = GC.GetAllocatedBytesForCurrentThread();
        var data = IdxReader.Read(bomb);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(n, data.Values.Length);
        Assert.True(allocated < n + (8 << 20), $"reading {n} bytes allocated {allocated}");
    }

    [Fact]
    public void Only_regular_files_are_read_a_fifo_or_a_link_to_dev_zero_is_refused_at_once()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempFolder();
        var fifo = dir.File("train-images-idx3-ubyte");
        using (var mk = Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        var clock = Stopwatch.StartNew();
        Assert.Contains("FIFO", Assert.Throws<IdxFormatException>(() => IdxReader.Read(fifo)).Message, StringComparison.Ordinal);
        var zero = dir.File("zero");
        File.CreateSymbolicLink(zero, "/dev/zero");
        Assert.Contains("a device", Assert.Throws<IdxFormatException>(() => IdxReader.Read(zero)).Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    private static void WriteSet(string dir, int[] trainLabels, int[] testLabels)
    {
        IdxWriter.Write(Path.Combine(dir, MnistData.TrainImagesName), Enumerable.Range(0, trainLabels.Length * 16).Select(i => (byte)(i * 7)).ToArray(), trainLabels.Length, 4, 4);
        IdxWriter.Write(Path.Combine(dir, MnistData.TrainLabelsName), trainLabels, trainLabels.Length);
        IdxWriter.Write(Path.Combine(dir, MnistData.TestImagesName), Enumerable.Range(0, testLabels.Length * 16).Select(i => (byte)(i * 3)).ToArray(), testLabels.Length, 4, 4);
        IdxWriter.Write(Path.Combine(dir, MnistData.TestLabelsName), testLabels, testLabels.Length);
    }

    [Fact]
    public void Labels_go_through_the_vocabulary_of_values_present_bounded_by_MaxClasses()
    {
        using var dir = new TempFolder();
        // One stray label of 100,000,000 among 0..3: five classes (not 100,000,001), the stray one with a single example.
        var train = Enumerable.Range(0, 24).Select(i => i % 4).ToArray();
        train[5] = 100_000_000;
        WriteSet(dir.Path, train, [0, 1, 2, 3, 100_000_000]);
        using (var data = MnistData.Load(dir.Path))
        {
            Assert.Equal(5, data.ClassCount);
            Assert.Equal(new[] { 0, 1, 2, 3, 100_000_000 }, data.ClassLabels);
            Assert.Equal(1, data.TrainClassCounts[4]);
            Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, data.TestY.data<long>().ToArray());
        }
        var e = Assert.Throws<InvalidDataException>(() => MnistData.Load(dir.Path, new MnistOptions { MaxClasses = 4 }));
        Assert.Contains("more than 4 distinct labels", e.Message, StringComparison.Ordinal);
        Assert.Contains("--max-classes", e.Message, StringComparison.Ordinal);
        // A fixed vocabulary (a checkpoint's classes) refuses a label outside it, naming the label.
        var fixedVocabulary = new MnistOptions { ClassLabels = [0, 1, 2, 3] };
        Assert.Contains("label 100000000, which is not one of the 4 classes",
            Assert.Throws<InvalidDataException>(() => MnistData.Load(dir.Path, fixedVocabulary)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_class_and_non_finite_pixels_are_refused_with_what_is_really_wrong()
    {
        using (var dir = new TempFolder())
        {
            WriteSet(dir.Path, new int[24], new int[5]);
            Assert.Contains("only the label 0; a classifier needs at least two classes",
                Assert.Throws<InvalidDataException>(() => MnistData.Load(dir.Path)).Message, StringComparison.Ordinal);
        }
        using (var dir = new TempFolder())
        {
            WriteSet(dir.Path, Enumerable.Range(0, 24).Select(i => i % 2).ToArray(), [0, 1]);
            var pixels = Enumerable.Range(0, 24 * 16).Select(i => (float)i).ToArray();
            pixels[7] = float.PositiveInfinity;
            IdxWriter.Write(Path.Combine(dir.Path, MnistData.TrainImagesName), pixels, 24, 4, 4);
            IdxWriter.Write(Path.Combine(dir.Path, MnistData.TestImagesName), new float[32], 2, 4, 4);
            var e = Assert.Throws<InvalidDataException>(() => MnistData.Load(dir.Path));
            Assert.Contains("infinite or NaN", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("constant", e.Message, StringComparison.Ordinal);
        }
    }
}
