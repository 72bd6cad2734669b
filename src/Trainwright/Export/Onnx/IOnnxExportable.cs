namespace Trainwright.Export.Onnx;

/// <summary>
/// A custom module (e.g. a residual block) that writes its own ONNX nodes. The exporter calls
/// <see cref="ExportOnnx"/> instead of looking the module's type up; the module typically exports its children with
/// <see cref="OnnxGraphBuilder.Export"/> and joins branches with <see cref="OnnxGraphBuilder.Add"/>:
/// <code>
/// public OnnxValue ExportOnnx(OnnxGraphBuilder g, OnnxValue x) =>
///     g.Relu(g.Add(g.Export(convs, x, "convs"), g.Export(shortcut, x, "shortcut")));
/// </code>
/// </summary>
public interface IOnnxExportable
{
    /// <summary>Emits the nodes computing this module's eval-mode forward from <paramref name="input"/>; returns its output.</summary>
    OnnxValue ExportOnnx(OnnxGraphBuilder graph, OnnxValue input);
}
