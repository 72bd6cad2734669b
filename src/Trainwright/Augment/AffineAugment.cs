using Trainwright.Learning;

namespace Trainwright.Augment;

/// <summary>
/// Augments every training batch with <see cref="ImageAugmenter"/> (validation batches pass untouched), after the batch
/// is on its device and before <see cref="NormalizeImages"/>. Each batch's draws depend only on <see cref="Seed"/>, the
/// epoch and the batch index, so a resumed fit sees the same augmentation as an uninterrupted one.
/// </summary>
public sealed class AffineAugment : Callback
{
    /// <summary>Runs after the device callback, before <see cref="NormalizeImages"/> and any <c>BatchTransform</c>.</summary>
    public const int DefaultOrder = CallbackOrder.BatchTransform - 3;

    /// <summary>Creates the callback.</summary>
    /// <param name="options">What to randomise (e.g. <see cref="AugmentOptions.Default"/>).</param>
    /// <param name="seed">Seed of the draws.</param>
    public AffineAugment(AugmentOptions options, int seed = 0)
    {
        Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        Seed = seed;
    }

    /// <summary>The settings.</summary>
    public AugmentOptions Options { get; }

    /// <summary>Seed of the draws.</summary>
    public int Seed { get; }

    /// <inheritdoc />
    public override int Order => DefaultOrder;

    /// <inheritdoc />
    public override void BeforeBatch()
    {
        var l = Learner;
        if (!l.Training || Options.IsIdentity) return;
        l.Xb = ImageAugmenter.Apply(l.Xb, Options, ImageAugmenter.BatchRandom(Seed, l.Epoch, l.Iter));
    }
}
