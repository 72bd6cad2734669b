using System.IO.Compression;
using static TorchSharp.torch;

namespace Trainwright.Tests.Init;

/// <summary>
/// Reads the first images/labels of the bundled MNIST test set straight from the gzipped IDX files, so these tests do
/// not depend on the library's Data folder.
/// </summary>
internal static class MnistSlice
{
    // The training set's pixel mean and std (on [0, 1] pixels), as used in the lessons to normalise.
    public const float Mean = 0.1307f;
    public const float Std = 0.3081f;

    public static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "mnist");
            if (File.Exists(Path.Combine(candidate, "t10k-images-idx3-ubyte.gz"))) return candidate;
        }
        throw new FileNotFoundException("data/mnist/t10k-images-idx3-ubyte.gz not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The first <paramref name="count"/> test images as normalised [count, 1, 28, 28] floats.</summary>
    public static Tensor Images(int count)
    {
        using var stream = new GZipStream(File.OpenRead(Path.Combine(Folder(), "t10k-images-idx3-ubyte.gz")), CompressionMode.Decompress);
        using var reader = new BinaryReader(stream);
        Assert.Equal(2051, ReadBigEndian(reader));
        int total = ReadBigEndian(reader), rows = ReadBigEndian(reader), cols = ReadBigEndian(reader);
        Assert.True(count <= total);
        var bytes = reader.ReadBytes(count * rows * cols);
        Assert.Equal(count * rows * cols, bytes.Length);
        using var raw = tensor(bytes, [count, 1, rows, cols]);
        using var scaled = raw.to(ScalarType.Float32).div(255f);
        return scaled.sub(Mean).div(Std);
    }

    /// <summary>The first <paramref name="count"/> test labels as int64.</summary>
    public static Tensor Labels(int count)
    {
        using var stream = new GZipStream(File.OpenRead(Path.Combine(Folder(), "t10k-labels-idx1-ubyte.gz")), CompressionMode.Decompress);
        using var reader = new BinaryReader(stream);
        Assert.Equal(2049, ReadBigEndian(reader));
        Assert.True(count <= ReadBigEndian(reader));
        var bytes = reader.ReadBytes(count);
        using var raw = tensor(bytes, [count]);
        return raw.to(ScalarType.Int64);
    }

    private static int ReadBigEndian(BinaryReader reader)
    {
        var b = reader.ReadBytes(4);
        return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    }
}
