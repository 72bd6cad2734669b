namespace Trainwright.Learning;

/// <summary>An error thrown by a callback, wrapped so the message names the callback and the event.</summary>
public sealed class CallbackException : Exception
{
    /// <summary>Wraps <paramref name="inner"/>, thrown by <paramref name="callback"/> while handling <paramref name="event"/>.</summary>
    public CallbackException(Callback callback, Event @event, Exception inner)
        : base($"Callback '{callback?.Name}' failed during {@event}: {inner?.Message}", inner)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CallbackName = callback.Name;
        Event = @event;
    }

    /// <summary>Name of the callback that threw.</summary>
    public string CallbackName { get; }

    /// <summary>The event it was handling.</summary>
    public Event Event { get; }
}
