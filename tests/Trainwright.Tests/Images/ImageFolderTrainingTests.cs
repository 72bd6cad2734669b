using Trainwright.Tests.Support;
using Xunit.Abstractions;
using Trainwright.Augment;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Data.Images;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Metrics;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Tests.Data;
using static TorchSharp.torch;

namespace Trainwright.Tests.Images;

public class ImageFolderTrainingTests(ITestOutputHelper output)
{
    private const int Items = 1000, Epochs = 4, BatchSize = 32;

    [Fact]
    public void Mnist_written_as_a_png_folder_trains_like_the_same_digits_from_idx()
    {
        // 1,000 bundled MNIST test digits as PNG class folders "0".."9": 800 train / 200 valid (random 20% per class).
        using var tmp = new TempFolder();
        var (images, labels) = ImageFiles.Mnist(Items);
        for (int i = 0; i < images.Length; i++)
            ImageFiles.Write(tmp.File($"{labels[i]}/{i:0000}.png"), images[i], 28, 28, 1);
        using var data = ImageFolderData.Load(tmp.Path, new ImageFolderOptions { UseCache = false, DecodeWorkers = 1 });
        Assert.Equal((1, 28, 10, Items), (data.Channels, data.Size, data.C, data.TrainCount + data.ValidCount));
        Assert.InRange(data.ValidCount, 190, 210); // round(20%) of each class
        // MNIST's pixel mean on [0, 1] is about 0.13: the stored statistics see the same pixels.
        Assert.InRange(data.Preprocessing.Mean[0], 0.11, 0.15);
        double imageAccuracy = Fit(data.ToDataBunch(BatchSize, seed: 2), ImageBatches.Callbacks(data, AugmentOptions.None));

        // The IDX route: the same digits as tensors, first 800 train / last 200 valid, normalised with MNIST's statistics.
        using var x = tensor(images.SelectMany(b => b).ToArray(), [Items, 1, 28, 28]).to_type(ScalarType.Float32).div_(255f).sub_(0.1307f).div_(0.3081f);
        using var y = tensor(labels.Select(l => (long)l).ToArray());
        var idx = DataBunch.FromDatasets(new TensorPairDataset(x.narrow(0, 0, 800), y.narrow(0, 0, 800)),
            new TensorPairDataset(x.narrow(0, 800, 200), y.narrow(0, 800, 200)), BatchSize, c: 10, seed: 2);
        double idxAccuracy = Fit(idx, []);

        output.WriteLine($"image folder {imageAccuracy:0.####}, IDX {idxAccuracy:0.####}");
        // Observed on this machine: 0.72 (image folder) against 0.77 (IDX); the validation sets differ (random 20% per class
        // against the last 200), hence the band. A broken pipeline (labels shuffled, pixels misaligned or unnormalised)
        // falls far outside it: chance is 0.1.
        Assert.True(imageAccuracy > 0.65 && Math.Abs(imageAccuracy - idxAccuracy) < 0.08,
            $"image-folder accuracy {imageAccuracy:0.###} should be in the IDX route's band ({idxAccuracy:0.###} ± 0.08) and above 0.65");
    }

    private static double Fit(DataBunch bunch, IEnumerable<Callback> callbacks)
    {
        manual_seed(1);
        var model = Cnn.Create(1, 10, [(16, 2), (32, 2), (64, 2)]);
        var stats = new AvgStats(ClassificationMetrics.Accuracy);
        var learner = new Learner(model, bunch, LossFunctions.CrossEntropyLoss, Adam.Factory(), 3e-3, [.. callbacks, stats]);
        learner.FitOneCycle(Epochs, maxLr: 1e-2); // 4 × 25 = 100 steps
        return stats.Valid!.Metrics["accuracy"];
    }
}
