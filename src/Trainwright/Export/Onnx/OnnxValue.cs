namespace Trainwright.Export.Onnx;

/// <summary>A value in the ONNX graph being built: its name and the shape of one item (without the dynamic batch axis).</summary>
/// <param name="Name">The graph value's name.</param>
/// <param name="ItemShape">Its shape per item, e.g. [32, 14, 14] for a [batch, 32, 14, 14] activation.</param>
public sealed record OnnxValue(string Name, IReadOnlyList<long> ItemShape)
{
    /// <summary>The shape as text, with <c>N</c> for the batch axis.</summary>
    public override string ToString() => $"{Name} [N, {string.Join(", ", ItemShape)}]";
}
