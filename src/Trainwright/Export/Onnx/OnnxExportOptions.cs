namespace Trainwright.Export.Onnx;

/// <summary>How to write an ONNX file.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Put the input normalisation in the graph as leading Sub/Div nodes (default true), so callers feed raw values
    /// (image intensities in [0, 1]); when false the graph expects normalised input.
    /// </summary>
    public bool IncludeNormalization { get; init; } = true;

    /// <summary>ONNX opset to declare; 17 or newer (default 17, read by ONNX Runtime 1.12 and later).</summary>
    public int Opset { get; init; } = 17;

    /// <summary>Name of the graph input (default <c>input</c>).</summary>
    public string InputName { get; init; } = "input";

    /// <summary>Name of the graph output (default <c>output</c>: logits for classification).</summary>
    public string OutputName { get; init; } = "output";
}
