using Trainwright.Data.Images;
using Trainwright.Plotting;
using static TorchSharp.torch;

namespace Trainwright.Augment;

/// <summary>Shows training images as the model will see them: augmented, in a PNG grid captioned with their classes.</summary>
public static class BatchPreview
{
    /// <summary>
    /// Draws <paramref name="count"/> training images of <paramref name="data"/>, picked at random with
    /// <paramref name="seed"/> and augmented with <paramref name="augment"/>, into a PNG at <paramref name="path"/>.
    /// </summary>
    /// <returns>The captions drawn, in grid order.</returns>
    public static IReadOnlyList<string> Save(ImageFolderData data, string path, AugmentOptions augment, int count = 16, int seed = 0, int columns = 4, int cellSize = 128)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(augment);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        augment.Validate();
        var order = Enumerable.Range(0, data.TrainCount).ToArray();
        new Random(seed).Shuffle(order);
        var picked = order.Take(count).ToArray();
        using var scope = NewDisposeScope();
        // Random crops (epoch 0's) where training crops at random, as the first epoch would.
        using var batch = data.TrainCrops(seed).Gather(picked, epoch: 0);
        var images = ImageAugmenter.Apply(batch.Xb, augment, ImageAugmenter.BatchRandom(seed, 0, 0));
        var labels = batch.Yb.data<long>().ToArray();
        var captions = labels.Select(l => data.ClassNames[(int)l]).ToArray();
        ImageGrid.Save(path, images, captions, Math.Min(columns, picked.Length), cellSize);
        return captions;
    }
}
