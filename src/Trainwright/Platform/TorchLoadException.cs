namespace Trainwright.Platform;

/// <summary>libtorch or TorchSharp's native shim cannot be loaded on this host; the message says why and what to do.</summary>
public sealed class TorchLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchLoadException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TorchLoadException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and TorchSharp's original error.</summary>
    public TorchLoadException(string message, Exception innerException) : base(message, innerException) { }
}
