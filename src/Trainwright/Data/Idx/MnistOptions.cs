namespace Trainwright.Data;

/// <summary>How <see cref="MnistData"/> splits, slices and normalises an IDX image folder.</summary>
public sealed record MnistOptions
{
    /// <summary>
    /// Whether to normalise all three sets with the training set's mean and standard deviation, <c>(x - mean) / std</c>
    /// (default true). When false the images stay scaled to [0, 1]; <see cref="MnistData.Mean"/> and
    /// <see cref="MnistData.Std"/> are reported either way.
    /// </summary>
    public bool Normalize { get; init; } = true;

    /// <summary>
    /// How many items at the end of the training file become the validation set. Null (default) takes the last sixth,
    /// rounded down, so MNIST's 60,000 training images split into 50,000 train and 10,000 valid as in the lesson,
    /// and a smaller file keeps the same proportion.
    /// </summary>
    public int? ValidCount { get; init; }

    /// <summary>Keep only the first this-many training items (after the split); null keeps all. For fast tests.</summary>
    public int? MaxTrainItems { get; init; }

    /// <summary>Keep only the first this-many validation items; null keeps all.</summary>
    public int? MaxValidItems { get; init; }

    /// <summary>Keep only the first this-many test items; null keeps all.</summary>
    public int? MaxTestItems { get; init; }

    /// <summary>
    /// Whether <see cref="MnistData.Load"/> verifies the folder's <c>SHA256SUMS</c> when it has one (default true).
    /// <see cref="MnistData.Bundled"/> always verifies.
    /// </summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>The default for <see cref="MaxClasses"/>.</summary>
    public const int DefaultMaxClasses = 1000;

    /// <summary>
    /// The most distinct label values accepted (default 1000). Labels are mapped through the vocabulary of values present,
    /// and this bound is checked before any model is sized from it, so one stray label can never make a huge output layer.
    /// </summary>
    public int MaxClasses { get; init; } = DefaultMaxClasses;

    /// <summary>
    /// A fixed vocabulary: class i is the label value <c>ClassLabels[i]</c> (e.g. the classes a checkpoint was trained on).
    /// A label outside it is an error. Null (default) builds the vocabulary from the values in the training and test files.
    /// </summary>
    public IReadOnlyList<int>? ClassLabels { get; init; }
}
