namespace Trainwright.Data.Images;

/// <summary>How <see cref="ImageFolderData.Load"/> reads an image folder. Every setting has a default.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Side of the square images are resized to; null picks one from the data: the median short side (of the
    /// headers of up to 1,000 files spread over the folder), at most 224, or 28 when that median is 32 px or less.
    /// Given, the first read opens each file once; null adds a pass over those headers.</summary>
    public int? Size { get; init; }

    /// <summary>How images become square (default <see cref="ResizeMethod.Crop"/>, a centre crop, as fastai's Resize).</summary>
    public ResizeMethod Resize { get; init; } = ResizeMethod.Crop;

    /// <summary>Fraction of each class held out for validation when the folder has no valid/ split (default 0.2).</summary>
    public double ValidPct { get; init; } = 0.2;

    /// <summary>Seed of the random validation split.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>1 or 3 to force the channel count; null uses 1 when every image is grey, else 3.</summary>
    public int? Channels { get; init; }

    /// <summary>
    /// With <see cref="ResizeMethod.Crop"/>, how much of a non-square training image's long side is kept for random
    /// crops, as the largest long-to-short ratio (default 4/3: all of a 4:3 photo, the middle 4:3 of a 16:9 one).
    /// Training then sees a random <see cref="Size"/>-square crop along the long side each epoch (fastai's training
    /// crop); validation, test and prediction see the centre crop. 1 trains on centre crops too. The stored rows are as
    /// wide as the longest image of a header sample (256 files spread over the folder; without a size, the 1,000 read
    /// for it) needs, so square data is stored square; a rarer,
    /// longer image outside the sample keeps the middle of its long side.
    /// </summary>
    public double TrainCropAspect { get; init; } = 4.0 / 3.0;

    /// <summary>Leave out files that do not decode (listed in <see cref="ImageFolderData.Skipped"/>) instead of stopping.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Largest pixel count an image header may declare; bigger files are refused before decoding.</summary>
    public long MaxPixels { get; init; } = ImageDecoder.DefaultMaxPixels;

    /// <summary>A CSV with <c>path,label</c> columns (paths relative to it); null uses <c>ROOT/labels.csv</c> if present.</summary>
    public string? LabelsFile { get; init; }

    /// <summary>Folder of the decode cache; null uses the user's cache folder (<c>$XDG_CACHE_HOME/trainwright/images</c>
    /// or <c>~/.cache/trainwright/images</c>).</summary>
    public string? CacheFolder { get; init; }

    /// <summary>Whether to read and write the decode cache (default true).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Threads decoding images on the first read while the caller's thread reports progress (default: one per
    /// core, at most 4); 0 decodes on the caller's thread. As many threads list the class folders and read headers.</summary>
    public int DecodeWorkers { get; init; } = Math.Min(4, Environment.ProcessorCount);

    /// <summary>
    /// The processes of a data-parallel job (e.g. <c>Trainwright.Distributed.Mpi</c>): on a first read each decodes an
    /// equal share of the files and they exchange the decoded images, so every process holds the whole folder (each
    /// epoch's shuffle gives every process different items) for the decode cost of its share; process 0 writes the
    /// decode cache. Every process of the group must load the same folder with the same settings. Null (or a group of
    /// one): this process decodes everything.
    /// </summary>
    public Distributed.ICommunicator? Communicator { get; init; }

    /// <summary>Receives progress while headers are read and images decoded (nothing when the cache has them).</summary>
    public IProgress<ImageLoadProgress>? Progress { get; init; }

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public ImageFolderOptions Validate()
    {
        if (Size is < 1) throw new ArgumentOutOfRangeException(nameof(Size), Size, "The image size must be at least 1 pixel.");
        if (!Enum.IsDefined(Resize)) throw new ArgumentOutOfRangeException(nameof(Resize), Resize, "Unknown resize method.");
        if (!(ValidPct > 0 && ValidPct < 1)) throw new ArgumentOutOfRangeException(nameof(ValidPct), ValidPct, "The validation fraction must be between 0 and 1 (exclusive).");
        if (Channels is not (null or 1 or 3)) throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "Images have 1 or 3 channels.");
        if (!(TrainCropAspect >= 1 && TrainCropAspect <= 4))
            throw new ArgumentOutOfRangeException(nameof(TrainCropAspect), TrainCropAspect, "The training crop aspect must be between 1 and 4.");
        if (MaxPixels < 1) throw new ArgumentOutOfRangeException(nameof(MaxPixels), MaxPixels, "The pixel limit must be positive.");
        if (DecodeWorkers < 0) throw new ArgumentOutOfRangeException(nameof(DecodeWorkers), DecodeWorkers, "Decode workers cannot be negative.");
        return this;
    }
}
