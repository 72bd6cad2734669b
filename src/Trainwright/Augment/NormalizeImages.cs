using Trainwright.Data.Images;
using Trainwright.Learning;

namespace Trainwright.Augment;

/// <summary>
/// Turns every batch of images (uint8 0–255, or float on the [0, 1] scale after <see cref="AffineAugment"/>) into the
/// model's input: float32 normalised per channel by <see cref="ImagePreprocessing.Normalize"/>, training and validation
/// alike: the same function a predictor applies to one image.
/// </summary>
public sealed class NormalizeImages : Callback
{
    /// <summary>Runs after <see cref="AffineAugment"/>, before any <c>BatchTransform</c>.</summary>
    public const int DefaultOrder = CallbackOrder.BatchTransform - 2;

    /// <summary>Creates the callback from the data's preprocessing (its channel statistics).</summary>
    public NormalizeImages(ImagePreprocessing preprocessing) =>
        Preprocessing = (preprocessing ?? throw new ArgumentNullException(nameof(preprocessing))).Validate();

    /// <summary>Sizes, channels and statistics used.</summary>
    public ImagePreprocessing Preprocessing { get; }

    /// <inheritdoc />
    public override int Order => DefaultOrder;

    /// <inheritdoc />
    public override void BeforeBatch()
    {
        var l = Learner;
        l.Xb = Preprocessing.Normalize(l.Xb);
    }
}
