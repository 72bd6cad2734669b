namespace Trainwright.Learning;

/// <summary>
/// The model's forward pass or the loss function failed on a batch. The message names the epoch, the batch, the
/// batch's shape and type and, when it can be found, what the model's first layer expects; the original error
/// (often libtorch's own text) is the inner exception and ends the message.
/// </summary>
public sealed class BatchFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BatchFailedException(string message, int epoch, int batch, bool training, Exception inner) : base(message, inner)
    {
        Epoch = epoch;
        Batch = batch;
        Training = training;
    }

    /// <summary>The epoch, 1-based.</summary>
    public int Epoch { get; }

    /// <summary>The batch within its pass, 1-based.</summary>
    public int Batch { get; }

    /// <summary>True for a training batch, false for validation.</summary>
    public bool Training { get; }
}
