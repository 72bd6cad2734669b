using Trainwright.Export.Onnx;
using static TorchSharp.torch;

namespace Trainwright.Models;

/// <summary>
/// The residual block of <see cref="XResNet"/>: ReLU(<see cref="Convs"/>(x) + <see cref="Shortcut"/>(x)), where
/// <see cref="Convs"/> is conv3×3 (stride) → BN → ReLU → conv3×3 → BN and <see cref="Shortcut"/> is the identity, or
/// conv1×1 (stride) → BN when the block changes the resolution or the channel count. Only standard modules inside, so
/// an exporter that knows this one type can write the whole network: <see cref="ExportOnnx"/> writes the residual Add.
/// </summary>
public sealed class ResBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly nn.Module<Tensor, Tensor> convs;
    private readonly nn.Module<Tensor, Tensor>? shortcut;

    /// <summary>Builds a block from <paramref name="inChannels"/> to <paramref name="outChannels"/> channels.</summary>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output.</param>
    /// <param name="stride">1, or 2 to halve the resolution.</param>
    public ResBlock(int inChannels, int outChannels, int stride) : base(nameof(ResBlock))
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "A residual block's stride is 1 or 2.");
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
        convs = nn.Sequential(
            ("conv1", nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false)),
            ("bn1", nn.BatchNorm2d(outChannels)),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false)),
            ("bn2", nn.BatchNorm2d(outChannels)));
        if (stride != 1 || inChannels != outChannels)
            shortcut = nn.Sequential(
                ("conv", nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)),
                ("bn", nn.BatchNorm2d(outChannels)));
        RegisterComponents();
    }

    /// <summary>Channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>Channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>1, or 2 when the block halves the resolution.</summary>
    public int Stride { get; }

    /// <summary>conv1 → bn1 → relu1 → conv2 → bn2 (a Sequential of standard modules).</summary>
    public nn.Module<Tensor, Tensor> Convs => convs;

    /// <summary>conv → bn (a Sequential), or null for the identity.</summary>
    public nn.Module<Tensor, Tensor>? Shortcut => shortcut;

    /// <summary>ONNX nodes of the block: Relu(Add(convs(x), shortcut(x) or x)).</summary>
    public OnnxValue ExportOnnx(OnnxGraphBuilder graph, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var (g, x) = (graph, input);
        var residual = g.Export(convs, x, nameof(convs));
        var skip = shortcut is null ? x : g.Export(shortcut, x, nameof(shortcut));
        return g.Relu(g.Add(residual, skip));
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var residual = convs.call(x);
        if (shortcut is null)
            return nn.functional.relu(residual + x);
        using var skip = shortcut.call(x);
        using var sum = residual + skip;
        return nn.functional.relu(sum);
    }
}
