using Trainwright.Tests.Support;
using SkiaSharp;
using Trainwright.Data.Images;
using Trainwright.Tests.Data;
using static TorchSharp.torch;

namespace Trainwright.Tests.Images;

public class ImageFolderDataTests
{
    private static ImageFolderOptions NoCache => new() { UseCache = false, DecodeWorkers = 1 };

    // Class k's images are filled with 40·k + i so every image differs and classes are told apart by brightness.
    private static void WriteClass(string folder, int label, int count, int width = 12, int height = 12, int channels = 1,
        SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var ext = format == SKEncodedImageFormat.Jpeg ? "jpg" : "png";
        for (int i = 0; i < count; i++)
        {
            var px = ImageFiles.Filled(width, height, channels, (byte)(40 * label + i));
            if (channels == 3) for (int p = 0; p < width * height; p++) px[3 * p + 2] = (byte)(255 - 40 * label); // blue differs: colour
            ImageFiles.Write(Path.Combine(folder, $"img{i:00}.{ext}"), px, width, height, channels, format);
        }
    }

    [Fact]
    public void Class_folders_get_a_stratified_seeded_split_sorted_classes_and_grey_input()
    {
        using var tmp = new TempFolder();
        foreach (var (name, k) in new[] { ("b", 1), ("a", 0), ("c", 2) }) WriteClass(tmp.File(name), k, 10);
        File.WriteAllText(tmp.File("a/notes.txt"), "not an image");
        File.WriteAllText(tmp.File(".DS_Store"), "x");
        using var data = ImageFolderData.Load(tmp.Path, NoCache);
        Assert.Equal(ImageFolderLayout.ClassFolders, data.Layout);
        Assert.Equal(["a", "b", "c"], data.ClassNames);
        Assert.Equal((24, 6, 0), (data.TrainCount, data.ValidCount, data.TestCount));
        Assert.Equal(2, data.IgnoredFiles);
        Assert.Equal(1, data.Channels);
        Assert.Equal(28, data.Size); // 12 px data: ≤ 32 px trains at 28
        Assert.Equal(new ImageSize(12, 12), data.SizeStats.Median);
        Assert.Equal([1, 28, 28], data.Train.X.shape[1..]);
        using var validLabels = data.Valid.Y.bincount(null);
        Assert.Equal([2L, 2, 2], validLabels.data<long>().ToArray());
        // Labels match the pixels: class k's images are filled with 40·k + i, i < 10.
        using var firstPixel = data.Train.X.select(2, 14).select(2, 14).select(1, 0).to_type(ScalarType.Int64);
        Assert.Equal(data.Train.Y.data<long>().ToArray(), firstPixel.data<long>().ToArray().Select(v => v / 40).ToArray());
        // The same seed gives the same split; another seed another.
        using var again = ImageFolderData.Load(tmp.Path, NoCache);
        Assert.True(again.Valid.X.Equals(data.Valid.X));
        using var other = ImageFolderData.Load(tmp.Path, NoCache with { Seed = 7 });
        Assert.False(other.Valid.X.Equals(data.Valid.X));
        Assert.Contains("(class folders, random 20% validation): 24 train, 6 valid; 3 classes (a, b, c)", data.Describe());
        Assert.Contains("trained at 28x28", data.Describe());
        Assert.Contains("2 non-image files ignored", data.Describe());
    }

    [Fact]
    public void Split_folders_with_val_test_odd_sizes_colour_jpegs_and_unicode_class_names()
    {
        using var tmp = new TempFolder();
        string[] classes = ["café crème", "chat noir"];
        for (int k = 0; k < 2; k++)
        {
            WriteClass(tmp.File($"train/{classes[k]}"), k, 5, width: 21, height: 13, channels: 3, format: SKEncodedImageFormat.Jpeg);
            WriteClass(tmp.File($"val/{classes[k]}"), k, 2, width: 9, height: 31, channels: 3);
            WriteClass(tmp.File($"test/{classes[k]}"), k, 1, width: 40, height: 40, channels: 3);
        }
        using var data = ImageFolderData.Load(tmp.Path, NoCache with { Size = 16, Resize = ResizeMethod.Pad });
        Assert.Equal(ImageFolderLayout.SplitFolders, data.Layout);
        Assert.False(data.RandomValidation);
        Assert.Equal(classes, data.ClassNames);
        Assert.Equal((10, 4, 2), (data.TrainCount, data.ValidCount, data.TestCount));
        Assert.Equal(3, data.Channels);
        Assert.Equal(16, data.Size);
        Assert.Equal(new ImageSize(21, 13), data.SizeStats.Min); // 273 px, fewer than 9x31 = 279
        Assert.Equal(new ImageSize(40, 40), data.SizeStats.Max);
        Assert.Equal([2L, 3, 16, 16], data.Test!.X.shape);
        Assert.NotNull(data.TestLoader(4));
        Assert.Contains("café crème, chat noir", data.Describe());
        Assert.Contains("(train/valid folders): 10 train, 4 valid, 2 test", data.Describe());
    }

    [Fact]
    public void A_labels_csv_with_quoted_paths_splits_at_random()
    {
        using var tmp = new TempFolder();
        WriteClass(tmp.File("pics/x, y"), 0, 5);
        WriteClass(tmp.File("pics/z"), 1, 5);
        var lines = new List<string> { "path,label" };
        for (int i = 0; i < 5; i++) lines.Add($"\"pics/x, y/img{i:00}.png\",dog");
        for (int i = 0; i < 5; i++) lines.Add($"pics/z/img{i:00}.png,cat");
        File.WriteAllLines(tmp.File("labels.csv"), lines);
        using var data = ImageFolderData.Load(tmp.Path, NoCache);
        Assert.Equal(ImageFolderLayout.LabelsFile, data.Layout);
        Assert.Equal(["cat", "dog"], data.ClassNames);
        Assert.Equal((8, 2), (data.TrainCount, data.ValidCount));
        // dog images are filled with 0..4, cat images with 40..44: labels follow the CSV, not the folders.
        using var v = data.Train.X.select(2, 0).select(2, 0).select(1, 0).to_type(ScalarType.Int64);
        Assert.Equal(v.data<long>().ToArray().Select(p => p >= 40 ? 0L : 1L), data.Train.Y.data<long>().ToArray());
    }

    [Fact]
    public void A_train_folder_without_valid_gets_a_random_split()
    {
        using var tmp = new TempFolder();
        WriteClass(tmp.File("train/a"), 0, 5);
        WriteClass(tmp.File("train/b"), 1, 5);
        using var data = ImageFolderData.Load(tmp.Path, NoCache with { ValidPct = 0.4 });
        Assert.Equal(ImageFolderLayout.SplitFolders, data.Layout);
        Assert.True(data.RandomValidation);
        Assert.Equal((6, 4), (data.TrainCount, data.ValidCount));
    }

    [Fact]
    public void Normalisation_stats_come_from_the_training_split_and_a_single_file_preprocesses_like_training()
    {
        using var tmp = new TempFolder();
        WriteClass(tmp.File("a"), 0, 5, 20, 20, channels: 3);
        WriteClass(tmp.File("b"), 1, 5, 20, 20, channels: 3);
        using var data = ImageFolderData.Load(tmp.Path, NoCache with { Size = 20 });
        using var x = data.Train.X.to_type(ScalarType.Float64).div(255.0);
        using var mean = x.mean([0L, 2L, 3L]);
        using var std = x.std([0L, 2L, 3L], unbiased: false);
        var expectedMean = mean.data<double>().ToArray();
        var expectedStd = std.data<double>().ToArray();
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(expectedMean[c], data.Preprocessing.Mean[c], 1e-5);
            Assert.Equal(expectedStd[c] > 1e-6 ? expectedStd[c] : 1.0, data.Preprocessing.Std[c], 1e-4);
        }
        // The file behind a training row gives the same model input through the predictor's path.
        var file = Directory.GetFiles(tmp.File("a")).Order(StringComparer.Ordinal).First();
        using var viaFile = data.Preprocessing.ToModelInput(file);
        var firstPixels = data.Train.X.select(1, 0).select(1, 0).select(1, 0).data<byte>().ToArray();
        var trainLabels = data.Train.Y.data<long>().ToArray();
        int row = Enumerable.Range(0, data.TrainCount).First(i => firstPixels[i] == 0 && trainLabels[i] == 0);
        using var viaTraining = data.Preprocessing.Normalize(data.Train.X.narrow(0, row, 1));
        Assert.True(viaFile.allclose(viaTraining, rtol: 0, atol: 1e-6));
        // Normalize is (x/255 − mean)/std.
        using var raw = data.Train.X.narrow(0, row, 1).to_type(ScalarType.Float32).div(255f);
        var m = tensor(data.Preprocessing.Mean).view(1, 3, 1, 1);
        var s = tensor(data.Preprocessing.Std).view(1, 3, 1, 1);
        using var byHand = (raw - m) / s;
        Assert.True(viaTraining.allclose(byHand, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Channels_can_be_forced_and_grey_to_one_channel_is_exact()
    {
        using var tmp = new TempFolder();
        WriteClass(tmp.File("a"), 0, 3);
        WriteClass(tmp.File("b"), 1, 3);
        using var three = ImageFolderData.Load(tmp.Path, NoCache with { Channels = 3, Size = 12 });
        using var one = ImageFolderData.Load(tmp.Path, NoCache with { Size = 12 });
        Assert.Equal(3, three.Channels);
        Assert.True(three.Train.X.select(1, 0).Equals(one.Train.X.select(1, 0)));
        using var rgb = tensor(new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 10, 10 }, [4, 3, 1, 1]);
        using var luma = ImagePreprocessing.ToChannels(rgb.transpose(0, 1).reshape(1, 3, 4, 1).contiguous(), 1);
        Assert.Equal(new byte[] { 76, 150, 29, 10 }, luma.data<byte>().ToArray()); // 0.299·255, 0.587·255, 0.114·255 rounded
    }

    [Fact]
    public void The_decode_cache_is_reused_and_missed_when_a_file_changes()
    {
        using var tmp = new TempFolder();
        using var cache = new TempFolder();
        WriteClass(tmp.File("data/a"), 0, 4);
        WriteClass(tmp.File("data/b"), 1, 4);
        var options = new ImageFolderOptions { CacheFolder = cache.Path, DecodeWorkers = 1 };
        var reports = new List<ImageLoadProgress>();
        using (var first = ImageFolderData.Load(tmp.File("data"), options with { Progress = new SyncProgress(reports.Add) }))
        {
            Assert.False(first.FromCache);
            Assert.NotNull(first.CacheFile);
            Assert.Contains(reports, r => r.Phase == "Decoding" && r.Done == r.Total && r.Total == 8);
            using var second = ImageFolderData.Load(tmp.File("data"), options);
            Assert.True(second.FromCache);
            Assert.True(second.Train.X.Equals(first.Train.X));
            Assert.Equal(first.Preprocessing.Mean, second.Preprocessing.Mean);
            Assert.Equal(first.SizeStats, second.SizeStats);
        }
        Assert.Empty(Directory.GetFiles(cache.Path, "*.tmp*")); // no temporary file left behind
        var changed = Directory.GetFiles(tmp.File("data/a"))[0];
        ImageFiles.Write(changed, ImageFiles.Filled(12, 12, 1, 200), 12, 12, 1);
        File.SetLastWriteTimeUtc(changed, DateTime.UtcNow.AddMinutes(1));
        using var third = ImageFolderData.Load(tmp.File("data"), options);
        Assert.False(third.FromCache);
        Assert.Equal(2, Directory.GetFiles(cache.Path, "*.u8").Length);
    }

    private sealed class SyncProgress(Action<ImageLoadProgress> report) : IProgress<ImageLoadProgress>
    {
        public void Report(ImageLoadProgress value) => report(value);
    }

    [Fact]
    public void The_data_bunch_yields_uint8_images_and_int64_labels()
    {
        using var tmp = new TempFolder();
        WriteClass(tmp.File("a"), 0, 6);
        WriteClass(tmp.File("b"), 1, 6);
        using var data = ImageFolderData.Load(tmp.Path, NoCache with { Size = 8 });
        var bunch = data.ToDataBunch(batchSize: 4, seed: 1);
        Assert.Equal(2, bunch.C);
        using var batch = bunch.Train.First();
        Assert.Equal(ScalarType.Byte, batch.Xb.dtype);
        Assert.Equal([4L, 1, 8, 8], batch.Xb.shape);
        Assert.Equal(ScalarType.Int64, batch.Yb.dtype);
        Assert.Equal(data.TrainCount, bunch.Train.ItemCount);
    }
}
