using Trainwright.Export.Onnx;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>A small residual network for the ONNX bench; its block exports itself through <see cref="IOnnxExportable"/>.</summary>
public static class BenchResidualNet
{
    /// <summary>Stem conv (stride 2), two residual blocks, global pooling and a linear head.</summary>
    public static nn.Module<Tensor, Tensor> Create(int width, int classes) => nn.Sequential(
        ("stem", nn.Conv2d(1, width, 3, stride: 2, padding: 1, bias: false)), ("stem_bn", nn.BatchNorm2d(width)), ("stem_relu", nn.ReLU()),
        ("res1", new Block(width)), ("res2", new Block(width)),
        ("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("head", nn.Linear(width, classes)));

    private sealed class Block : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        private readonly nn.Module<Tensor, Tensor> convs;

        public Block(int c) : base("ResidualBlock")
        {
            convs = nn.Sequential(nn.Conv2d(c, c, 3, padding: 1, bias: false), nn.BatchNorm2d(c), nn.ReLU(),
                nn.Conv2d(c, c, 3, padding: 1, bias: false), nn.BatchNorm2d(c));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var y = convs.call(x);
            using var sum = y.add(x);
            return sum.relu();
        }

        public OnnxValue ExportOnnx(OnnxGraphBuilder graph, OnnxValue input) => graph.Relu(graph.Add(graph.Export(convs, input, "convs"), input));
    }
}
