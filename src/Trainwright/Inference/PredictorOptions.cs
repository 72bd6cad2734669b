namespace Trainwright.Inference;

/// <summary>How a <see cref="Predictor"/> runs: batch size, decode threads, and whether the normalisation is folded.</summary>
public sealed record PredictorOptions
{
    /// <summary>The largest <see cref="MaxBatchSize"/> accepted (items per forward pass).</summary>
    public const int MaxBatchSizeLimit = 65_536;

    /// <summary>The largest <see cref="DecodeThreads"/> accepted.</summary>
    public const int MaxDecodeThreads = 256;

    /// <summary>Most items per forward pass in a batch prediction (default 256); larger batches are split.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>Images decoded at once by the batch methods (default: one per core, at most <see cref="MaxDecodeThreads"/>).</summary>
    public int DecodeThreads { get; init; } = Math.Min(Environment.ProcessorCount, MaxDecodeThreads);

    /// <summary>
    /// Fold the input normalisation into the model's first layer when it is a Linear on flat items or an unpadded
    /// single-group Conv2d (default true): the same outputs up to float rounding, without two passes over every input.
    /// Other models normalise each batch with the shared preprocessing, as when this is false.
    /// </summary>
    public bool FoldNormalization { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming a setting outside its range.</summary>
    public PredictorOptions Validate()
    {
        if (MaxBatchSize is < 1 or > MaxBatchSizeLimit)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, $"MaxBatchSize must be 1 to {MaxBatchSizeLimit}.");
        if (DecodeThreads is < 1 or > MaxDecodeThreads)
            throw new ArgumentOutOfRangeException(nameof(DecodeThreads), DecodeThreads, $"DecodeThreads must be 1 to {MaxDecodeThreads}.");
        return this;
    }
}
