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

    /// <summary>
    /// Whether a verified file is remembered, so that later loads skip hashing it while its full path, size and
    /// modification time stay exactly as they were (default true). Any change to the file changes its modification time,
    /// so a damaged or replaced file is hashed and refused again. False hashes every listed file on every load.
    /// </summary>
    public bool RememberVerifiedFiles { get; init; } = true;

    /// <summary>
    /// The file that remembers verified files (see <see cref="RememberVerifiedFiles"/>). Null (default) uses
    /// <c>$XDG_CACHE_HOME/trainwright/verified-sha256.tsv</c>, or <c>~/.cache/trainwright/verified-sha256.tsv</c> when
    /// <c>XDG_CACHE_HOME</c> is unset. When it cannot be read or written, files are hashed every time, as without it.
    /// </summary>
    public string? VerifiedFilesRecord { get; init; }

    /// <summary>
    /// Whether the decompressed content of large <c>.gz</c> files (1 MiB or more of data, such as MNIST's images) is kept in
    /// a cache folder, so later loads of an unchanged file read it instead of decompressing again (default true). An entry
    /// is tied to the compressed file's full path, size and modification time; a damaged entry is rebuilt.
    /// </summary>
    public bool CacheDecompressedFiles { get; init; } = true;

    /// <summary>
    /// The folder of <see cref="CacheDecompressedFiles"/>. Null (default) uses <c>$XDG_CACHE_HOME/trainwright/idx</c>, or
    /// <c>~/.cache/trainwright/idx</c> when <c>XDG_CACHE_HOME</c> is unset. When it cannot be written, files are
    /// decompressed every time, as without it.
    /// </summary>
    public string? DecompressedCacheFolder { get; init; }

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
