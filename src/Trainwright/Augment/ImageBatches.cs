using Trainwright.Data.Images;
using Trainwright.Learning;

namespace Trainwright.Augment;

/// <summary>The callbacks a learner on image batches needs: augmentation (training only) and normalisation.</summary>
public static class ImageBatches
{
    /// <summary>
    /// <see cref="AffineAugment"/> with <paramref name="augment"/> (left out when it changes nothing) and
    /// <see cref="NormalizeImages"/> with <paramref name="data"/>'s statistics.
    /// </summary>
    public static IReadOnlyList<Callback> Callbacks(ImageFolderData data, AugmentOptions? augment = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Callbacks(data.Preprocessing, augment, seed);
    }

    /// <summary>As <see cref="Callbacks(ImageFolderData, AugmentOptions?, int)"/>, from stored preprocessing settings.</summary>
    public static IReadOnlyList<Callback> Callbacks(ImagePreprocessing preprocessing, AugmentOptions? augment = null, int seed = 0)
    {
        var list = new List<Callback>();
        if (augment is not null && !augment.IsIdentity) list.Add(new AffineAugment(augment, seed));
        list.Add(new NormalizeImages(preprocessing));
        return list;
    }
}
