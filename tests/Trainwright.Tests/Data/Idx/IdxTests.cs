using Trainwright.Tests.Support;
// Literal arrays make the expected values readable; these tests are not hot paths.
#pragma warning disable CA1861

using System.IO.Compression;
using Trainwright.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Tests.Data;

public class IdxTests
{
    public static TheoryData<string> Extensions => new() { "", ".gz" };

    [Theory]
    [MemberData(nameof(Extensions))]
    public void RoundTripsEveryElementTypeAndSeveralRanks(string extension)
    {
        using var dir = new TempFolder();
        Check(dir.File("u8" + extension), IdxData.From(new byte[] { 0, 1, 127, 128, 255 }, 5));
        Check(dir.File("s8" + extension), IdxData.From(new sbyte[] { -128, -1, 0, 1, 127, 5 }, 2, 3));
        Check(dir.File("i16" + extension), IdxData.From(Enumerable.Range(0, 24).Select(i => (short)(i * 1000 - 12000)).ToArray(), 2, 3, 4));
        Check(dir.File("i32" + extension), IdxData.From(new[] { int.MinValue, -1, 0, 1, int.MaxValue, 123456789, 7, 8 }, 2, 1, 2, 2));
        Check(dir.File("f32" + extension), IdxData.From(new[] { -1.5f, 0f, 3.25f, float.MaxValue, 1e-30f, -0f }, 3, 2));
        Check(dir.File("f64" + extension), IdxData.From(new[] { Math.PI, -Math.E, 1e300, double.Epsilon }, 4));
        Check(dir.File("empty-dim" + extension), IdxData.From(Array.Empty<int>(), 0, 7));

        static void Check(string path, IdxData written)
        {
            IdxWriter.Write(path, written);
            var read = IdxReader.Read(path);
            Assert.Equal(written.ElementType, read.ElementType);
            Assert.Equal(written.Dimensions, read.Dimensions);
            Assert.Equal(written.Values.GetType(), read.Values.GetType());
            Assert.Equal(written.Values.Cast<object>(), read.Values.Cast<object>());
        }
    }

    [Fact]
    public void GzipOutputIsGzipAndRawOutputIsNot()
    {
        using var dir = new TempFolder();
        IdxWriter.Write(dir.File("a.gz"), new byte[] { 1, 2 }, 2);
        IdxWriter.Write(dir.File("b"), new byte[] { 1, 2 }, 2);
        var gz = File.ReadAllBytes(dir.File("a.gz"));
        Assert.Equal(new byte[] { 0x1F, 0x8B }, gz[..2]);
        Assert.Equal(new byte[] { 0, 0, 0x08, 1, 0, 0, 0, 2, 1, 2 }, File.ReadAllBytes(dir.File("b")));
    }

    [Fact]
    public void ReadsBigEndianValuesFromHandWrittenBytes()
    {
        using var dir = new TempFolder();
        // int32 [2]: 0x01020304 and -2, big-endian.
        File.WriteAllBytes(dir.File("ints"), [0, 0, 0x0C, 1, 0, 0, 0, 2, 0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0xFF, 0xFE]);
        Assert.Equal(new[] { 0x01020304, -2 }, (int[])IdxReader.Read(dir.File("ints")).Values);
        // float32 [1]: 1.5f is 0x3FC00000; double [1]: -2.0 is 0xC000000000000000.
        File.WriteAllBytes(dir.File("float"), [0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0]);
        Assert.Equal(new[] { 1.5f }, (float[])IdxReader.Read(dir.File("float")).Values);
        File.WriteAllBytes(dir.File("double"), [0, 0, 0x0E, 1, 0, 0, 0, 1, 0xC0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(new[] { -2.0 }, (double[])IdxReader.Read(dir.File("double")).Values);
        // short [1, 2] of a gzip-compressed file: 0x0102 and -1.
        using (var z = new GZipStream(File.Create(dir.File("shorts.gz")), CompressionLevel.Fastest))
            z.Write([0, 0, 0x0B, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFF]);
        var shorts = IdxReader.Read(dir.File("shorts.gz"));
        Assert.Equal(new[] { 1, 2 }, shorts.Dimensions);
        Assert.Equal(new short[] { 0x0102, -1 }, (short[])shorts.Values);
    }

    [Fact]
    public void ConvertsToTensorsOfTheMatchingDtypeAndShape()
    {
        var data = IdxData.From(new short[] { 1, -2, 3, -4, 5, -6 }, 3, 2);
        using var t = data.ToTensor();
        Assert.Equal(ScalarType.Int16, t.dtype);
        Assert.Equal(new long[] { 3, 2 }, t.shape);
        Assert.Equal(-4, t[1, 1].ToInt16());
        using var b = IdxData.From(new byte[] { 200, 3 }, 2).ToTensor();
        Assert.Equal(ScalarType.Byte, b.dtype);
        Assert.Equal(200, b[0].ToByte());
        using var d = IdxData.From(new[] { 0.5, 0.25 }, 1, 1, 2).ToTensor();
        Assert.Equal(ScalarType.Float64, d.dtype);
        Assert.Equal(0.25, d[0, 0, 1].ToDouble());
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "empty", [], "the file is empty" },
        { "short-magic", [0, 0, 8], "magic number is incomplete" },
        { "wrong-magic", [1, 0, 8, 1, 0, 0, 0, 1, 5], "wrong magic number 0x01000801" },
        { "unknown-type", [0, 0, 0x0A, 1, 0, 0, 0, 1, 5], "unknown element type code 0x0A" },
        { "zero-rank", [0, 0, 8, 0], "declares 0 dimensions" },
        { "short-header", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0], "truncated header: it declares 3 dimensions (16 header bytes) but the file has only 10 bytes" },
        { "short-data", [0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0], "truncated data: the header declares [2] of Int (8 data bytes) but only 6 bytes follow" },
        { "trailing", [0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3], "header/length mismatch: the header declares [1, 2] of UByte (2 data bytes) but 3 bytes follow the header (1 trailing bytes)" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void RejectsMalformedFilesNamingFileAndProblem(string name, byte[] content, string expected)
    {
        using var dir = new TempFolder();
        foreach (var path in new[] { dir.File(name), dir.File(name + ".gz") })
        {
            if (path.EndsWith(".gz", StringComparison.Ordinal))
                using (var z = new GZipStream(File.Create(path), CompressionLevel.Fastest)) z.Write(content);
            else
                File.WriteAllBytes(path, content);
            var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
            Assert.Equal(path, e.Path);
        }
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid(), "train-images-idx3-ubyte.gz");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void GzNameWithoutGzipContentAndCorruptGzipAreReported()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("plain.gz"), [0, 0, 8, 1, 0, 0, 0, 1, 5]);
        Assert.Contains("not gzip-compressed", Assert.Throws<IdxFormatException>(() => IdxReader.Read(dir.File("plain.gz"))).Message);

        IdxWriter.Write(dir.File("cut.gz"), Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray(), 5000);
        var bytes = File.ReadAllBytes(dir.File("cut.gz"));
        File.WriteAllBytes(dir.File("cut.gz"), bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsAny<IOException>(() => IdxReader.Read(dir.File("cut.gz")));
        Assert.Contains(dir.File("cut.gz"), e.Message);
    }

    [Fact]
    public void WriterRejectsValuesThatDoNotFitTheDimensions()
    {
        var e = Assert.Throws<ArgumentException>(() => IdxData.From(new byte[5], 2, 3));
        Assert.Contains("6 elements but 5 values", e.Message);
    }
}
