namespace Trainwright.Learning;

/// <summary>
/// Thrown by a callback to end part of the loop early. The loop catches it at the matching level, fires the
/// <c>AfterCancel…</c> event, then the usual <c>After…</c> event, and carries on with the next unit of work.
/// </summary>
public abstract class CancelException : Exception
{
    /// <summary>Creates a cancellation with an optional reason (shown by progress and logs).</summary>
    protected CancelException(string? reason) : base(reason ?? "cancelled") => Reason = reason;

    /// <summary>Why the loop was cancelled, as the thrower said it, or null when no reason was given.</summary>
    public string? Reason { get; }
}

/// <summary>Skips the rest of the current batch (no backward or step if thrown before them).</summary>
public sealed class CancelBatchException(string? reason = null) : CancelException(reason);

/// <summary>Skips the rest of the training batches of this epoch; validation still runs.</summary>
public sealed class CancelTrainException(string? reason = null) : CancelException(reason);

/// <summary>Skips the rest of validation for this epoch.</summary>
public sealed class CancelValidateException(string? reason = null) : CancelException(reason);

/// <summary>Skips the rest of the current epoch; the next epoch starts.</summary>
public sealed class CancelEpochException(string? reason = null) : CancelException(reason);

/// <summary>Stops training altogether; <see cref="Event.AfterFit"/> still runs.</summary>
public sealed class CancelFitException(string? reason = null) : CancelException(reason);
