namespace Trainwright.Export.Onnx;

/// <summary>The model cannot be written as ONNX (e.g. a layer the exporter does not know); nothing was written.</summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public OnnxExportException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public OnnxExportException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a default message.</summary>
    public OnnxExportException() : base("The model cannot be exported to ONNX.") { }
}
