using System.Text.Json.Nodes;
using Trainwright.Export.Onnx;
using Trainwright.Inference;
using static TorchSharp.torch;

namespace Trainwright.Tests.Inference;

/// <summary>conv → BN → ReLU → conv → BN, plus the input, then ReLU: a residual block that exports itself.</summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly nn.Module<Tensor, Tensor> convs;

    public ResidualBlock(int channels) : base(nameof(ResidualBlock))
    {
        convs = nn.Sequential(
            ("conv1", nn.Conv2d(channels, channels, 3, padding: 1, bias: false)), ("bn1", nn.BatchNorm2d(channels)), ("relu", nn.ReLU()),
            ("conv2", nn.Conv2d(channels, channels, 3, padding: 1, bias: false)), ("bn2", nn.BatchNorm2d(channels)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var y = convs.call(x);
        using var sum = y.add(x);
        return sum.relu();
    }

    public OnnxValue ExportOnnx(OnnxGraphBuilder graph, OnnxValue input) =>
        graph.Relu(graph.Add(graph.Export(convs, input, "convs"), input));
}

/// <summary>A small residual network for 1×28×28 images, registered as a custom model kind.</summary>
internal static class ResidualNet
{
    public const string Kind = "test-residual-net";

    public static nn.Module<Tensor, Tensor> Create(int width, int classes) => nn.Sequential(
        ("stem", nn.Conv2d(1, width, 3, stride: 2, padding: 1, bias: false)),
        ("stem_bn", nn.BatchNorm2d(width)),
        ("stem_relu", nn.ReLU()),
        ("res1", new ResidualBlock(width)),
        ("res2", new ResidualBlock(width)),
        ("pool", nn.AdaptiveAvgPool2d(1)),
        ("flatten", nn.Flatten()),
        ("head", nn.Linear(width, classes)));

    public static ModelArchitecture Architecture(int width, int classes) =>
        ModelArchitecture.Custom(Kind, new JsonObject { ["width"] = width, ["classes"] = classes });

    public static void Register(ModelRegistry registry) =>
        registry.Register(Kind, s => Create(s["width"]!.GetValue<int>(), s["classes"]!.GetValue<int>()));
}
