using Trainwright.Tests.Support;
// Literal arrays make the expected values readable; these tests are not hot paths.
#pragma warning disable CA1861

using Trainwright.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Tests.Data;

public class MnistDataTests
{
    private const int H = 14, W = 14;

    /// <summary>Writes a tiny MNIST-style folder: 14x14 images, labels 0..3, pixels from a seeded generator.</summary>
    private static (byte[] TrainPixels, byte[] TrainLabels, byte[] TestPixels, byte[] TestLabels) WriteSet(
        string dir, int trainCount = 12, int testCount = 5, bool gzip = true, int? labelCount = null)
    {
        var random = new Random(42);
        byte[] Pixels(int n) { var p = new byte[n * H * W]; random.NextBytes(p); return p; }
        byte[] Labels(int n) => Enumerable.Range(0, n).Select(i => (byte)(i % 4)).ToArray();
        var sets = (Pixels(trainCount), Labels(labelCount ?? trainCount), Pixels(testCount), Labels(testCount));
        string ext = gzip ? ".gz" : "";
        IdxWriter.Write(Path.Combine(dir, MnistData.TrainImagesName + ext), sets.Item1, trainCount, H, W);
        IdxWriter.Write(Path.Combine(dir, MnistData.TrainLabelsName + ext), sets.Item2, labelCount ?? trainCount);
        IdxWriter.Write(Path.Combine(dir, MnistData.TestImagesName + ext), sets.Item3, testCount, H, W);
        IdxWriter.Write(Path.Combine(dir, MnistData.TestLabelsName + ext), sets.Item4, testCount);
        return sets;
    }

    private static float[] Floats(Tensor t) => t.data<float>().ToArray();
    private static long[] Longs(Tensor t) => t.data<long>().ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SplitsScalesAndSizesFromTheFiles(bool gzip)
    {
        using var dir = new TempFolder();
        var (trainPixels, trainLabels, testPixels, testLabels) = WriteSet(dir.Path, gzip: gzip);
        using var data = MnistData.Load(dir.Path, new MnistOptions { Normalize = false });

        Assert.Equal((H, W), data.ImageShape);
        Assert.Equal(4, data.ClassCount);
        // 12 training items: the last sixth (2) is the validation set.
        Assert.Equal(new long[] { 10, H * W }, data.TrainX.shape);
        Assert.Equal(new long[] { 2, H * W }, data.ValidX.shape);
        Assert.Equal(new long[] { 5, H * W }, data.TestX.shape);
        Assert.Equal(ScalarType.Float32, data.TrainX.dtype);
        Assert.Equal(ScalarType.Int64, data.TrainY.dtype);

        // Reference: pixel / 255 computed here from the bytes written.
        var expectedTrain = trainPixels[..(10 * H * W)].Select(b => b / 255f).ToArray();
        var expectedValid = trainPixels[(10 * H * W)..].Select(b => b / 255f).ToArray();
        Assert.Equal(expectedTrain, Floats(data.TrainX), new FloatTolerance(1e-7f));
        Assert.Equal(expectedValid, Floats(data.ValidX), new FloatTolerance(1e-7f));
        Assert.Equal(testPixels.Select(b => b / 255f).ToArray(), Floats(data.TestX), new FloatTolerance(1e-7f));
        Assert.Equal(trainLabels[..10].Select(b => (long)b), Longs(data.TrainY));
        Assert.Equal(trainLabels[10..].Select(b => (long)b), Longs(data.ValidY));
        Assert.Equal(testLabels.Select(b => (long)b), Longs(data.TestY));

        double mean = expectedTrain.Average();
        double std = Math.Sqrt(expectedTrain.Sum(v => (v - mean) * (v - mean)) / (expectedTrain.Length - 1));
        Assert.Equal(mean, data.Mean, 1e-5);
        Assert.Equal(std, data.Std, 1e-5);
        Assert.False(data.IsNormalized);
    }

    [Fact]
    public void NormalisesAllSetsWithTrainingStatistics()
    {
        using var dir = new TempFolder();
        var (trainPixels, _, testPixels, _) = WriteSet(dir.Path);
        using var data = MnistData.Load(dir.Path);
        var train = trainPixels[..(10 * H * W)].Select(b => b / 255.0).ToArray();
        double mean = train.Average();
        double std = Math.Sqrt(train.Sum(v => (v - mean) * (v - mean)) / (train.Length - 1));
        Assert.True(data.IsNormalized);
        Assert.Equal(train.Select(v => (float)((v - mean) / std)).ToArray(), Floats(data.TrainX), new FloatTolerance(1e-4f));
        Assert.Equal(testPixels.Select(b => (float)((b / 255.0 - mean) / std)).ToArray(), Floats(data.TestX), new FloatTolerance(1e-4f));
    }

    [Fact]
    public void ValidCountAndSlicesAreHonoured()
    {
        using var dir = new TempFolder();
        var (_, trainLabels, _, _) = WriteSet(dir.Path, trainCount: 30);
        using var data = MnistData.Load(dir.Path, new MnistOptions { ValidCount = 10, MaxTrainItems = 7, MaxValidItems = 3, MaxTestItems = 2 });
        Assert.Equal(7, data.TrainX.shape[0]);
        Assert.Equal(3, data.ValidX.shape[0]);
        Assert.Equal(2, data.TestX.shape[0]);
        // The validation set starts right after the 20 training items.
        Assert.Equal(trainLabels[20..23].Select(b => (long)b), Longs(data.ValidY));
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        using var dir = new TempFolder();
        WriteSet(dir.Path, trainCount: 12, labelCount: 11);
        var e = Assert.Throws<InvalidDataException>(() => MnistData.Load(dir.Path));
        Assert.Contains(MnistData.TrainImagesName + ".gz", e.Message);
        Assert.Contains(MnistData.TrainLabelsName + ".gz", e.Message);
        Assert.Contains("12 images", e.Message);
        Assert.Contains("11 labels", e.Message);
    }

    [Fact]
    public void MissingFileAndBadChecksumAreReported()
    {
        using var dir = new TempFolder();
        WriteSet(dir.Path);
        Sha256Sums.Write(dir.Path, Directory.GetFiles(dir.Path).Select(Path.GetFileName)!);
        IdxWriter.Write(dir.File(MnistData.TestLabelsName + ".gz"), new byte[] { 3, 2, 1, 0, 0 }, 5);
        var mismatch = Assert.Throws<ChecksumMismatchException>(() => MnistData.Load(dir.Path));
        Assert.EndsWith(MnistData.TestLabelsName + ".gz", mismatch.Path);
        using (MnistData.Load(dir.Path, new MnistOptions { VerifyChecksums = false })) { }

        File.Delete(dir.File(MnistData.TestImagesName + ".gz"));
        var missing = Assert.Throws<FileNotFoundException>(() => MnistData.Load(dir.Path, new MnistOptions { VerifyChecksums = false }));
        Assert.Contains(MnistData.TestImagesName, missing.Message);
    }

    [Fact]
    public void BundledMnistHasTheLessonShapesAndNormalisedTrainingSet()
    {
        using var data = MnistData.Bundled();
        Assert.Equal(new long[] { 50_000, 784 }, data.TrainX.shape);
        Assert.Equal(new long[] { 10_000, 784 }, data.ValidX.shape);
        Assert.Equal(new long[] { 10_000, 784 }, data.TestX.shape);
        Assert.Equal(new long[] { 50_000 }, data.TrainY.shape);
        Assert.Equal((28, 28), data.ImageShape);
        Assert.Equal(10, data.ClassCount);
        using var mean = data.TrainX.mean();
        using var std = data.TrainX.std();
        Assert.InRange(mean.ToSingle(), -1e-3f, 1e-3f);
        Assert.InRange(std.ToSingle(), 1 - 1e-3f, 1 + 1e-3f);
        // The lesson's printed statistics, 0.1304 and 0.3073, come from the pickled MNIST whose pixels are byte / 256;
        // ours are byte / 255, so rescale before comparing (tolerance: the 4 printed digits).
        Assert.InRange(data.Mean * 255.0 / 256.0, 0.1304 - 1e-4, 0.1304 + 1e-4);
        Assert.InRange(data.Std * 255.0 / 256.0, 0.3073 - 1e-4, 0.3073 + 1e-4);
    }

    [Fact]
    public void BundledSliceMatchesTheRawFile()
    {
        using var data = MnistData.Bundled(new MnistOptions { Normalize = false, MaxTrainItems = 20, MaxValidItems = 5, MaxTestItems = 5 });
        var raw = IdxReader.Read(Path.Combine(data.Directory, MnistData.TrainImagesName + ".gz"));
        var labels = (byte[])IdxReader.Read(Path.Combine(data.Directory, MnistData.TrainLabelsName + ".gz")).Values;
        var pixels = (byte[])raw.Values;
        Assert.Equal(pixels[..(20 * 784)].Select(b => b / 255f).ToArray(), Floats(data.TrainX), new FloatTolerance(1e-7f));
        Assert.Equal(pixels[(50_000 * 784)..(50_005 * 784)].Select(b => b / 255f).ToArray(), Floats(data.ValidX), new FloatTolerance(1e-7f));
        Assert.Equal(labels[50_000..50_005].Select(b => (long)b), Longs(data.ValidY));
    }
}

/// <summary>Compares floats within an absolute tolerance.</summary>
internal sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(float obj) => 0;
}
