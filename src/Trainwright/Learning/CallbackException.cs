namespace Trainwright.Learning;

/// <summary>
/// An error thrown by a callback, wrapped so the message names the callback, the event and where the loop stood
/// (epoch, and batch for batch-level events), e.g. <c>Callback 'X' failed during AfterBatch in epoch 2, training batch 5: …</c>.
/// </summary>
public sealed class CallbackException : Exception
{
    /// <summary>Wraps <paramref name="inner"/>, thrown by <paramref name="callback"/> while handling <paramref name="event"/>.</summary>
    /// <param name="callback">The callback that threw.</param>
    /// <param name="event">The event it was handling.</param>
    /// <param name="inner">What it threw.</param>
    /// <param name="epoch">The 1-based epoch, or null outside an epoch.</param>
    /// <param name="batch">The 1-based batch of the current pass, or null outside a batch.</param>
    /// <param name="training">Whether the batch was a training batch (ignored without <paramref name="batch"/>).</param>
    public CallbackException(Callback callback, Event @event, Exception inner, int? epoch = null, int? batch = null, bool training = true)
        : base($"Callback '{callback?.Name}' failed during {@event}{Where(epoch, batch, training)}: {inner?.Message}", inner)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CallbackName = callback.Name;
        Event = @event;
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>Name of the callback that threw.</summary>
    public string CallbackName { get; }

    /// <summary>The event it was handling.</summary>
    public Event Event { get; }

    /// <summary>The 1-based epoch it failed in, or null when it failed outside an epoch (e.g. in BeforeFit).</summary>
    public int? Epoch { get; }

    /// <summary>The 1-based batch of the pass it failed in, or null when it failed outside a batch.</summary>
    public int? Batch { get; }

    private static string Where(int? epoch, int? batch, bool training) =>
        epoch is not { } e ? ""
        : batch is { } b ? $" in epoch {e}, {(training ? "training" : "validation")} batch {b}"
        : $" in epoch {e}";
}
