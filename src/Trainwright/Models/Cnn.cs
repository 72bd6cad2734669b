using static TorchSharp.torch;

namespace Trainwright.Models;

/// <summary>
/// A small convolutional classifier for single- or multi-channel images built from conv → batch norm → ReLU blocks,
/// downsampling with stride 2, then global average pooling and a linear head. Its input is [batch, channels, H, W]
/// (use a BatchTransform to reshape flat inputs).
/// </summary>
public static class Cnn
{
    /// <summary>Channels of each block and whether it halves the resolution, for MNIST-sized images.</summary>
    public static IReadOnlyList<(int Channels, int Stride)> DefaultBlocks { get; } =
        [(32, 1), (32, 2), (64, 1), (64, 2), (128, 2)];

    /// <summary>Builds the network.</summary>
    /// <param name="inChannels">Channels of the input images (1 for MNIST).</param>
    /// <param name="classes">Outputs.</param>
    /// <param name="blocks">Channels and stride of each conv block (default <see cref="DefaultBlocks"/>).</param>
    public static nn.Module<Tensor, Tensor> Create(int inChannels, int classes, IReadOnlyList<(int Channels, int Stride)>? blocks = null)
    {
        Mlp.Check(inChannels, nameof(inChannels));
        Mlp.Check(classes, nameof(classes));
        blocks ??= DefaultBlocks;
        if (blocks.Count == 0) throw new ArgumentException("A CNN needs at least one conv block.", nameof(blocks));
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int c = inChannels;
        for (int i = 0; i < blocks.Count; i++)
        {
            var (channels, stride) = blocks[i];
            Mlp.Check(channels, nameof(blocks));
            if (stride is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(blocks), stride, "Block strides must be 1 or 2.");
            layers.Add(($"conv{i}", nn.Conv2d(c, channels, 3, stride: stride, padding: 1, bias: false)));
            layers.Add(($"bn{i}", nn.BatchNorm2d(channels)));
            layers.Add(($"relu{i}", nn.ReLU()));
            c = channels;
        }
        layers.Add(("pool", nn.AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("head", nn.Linear(c, classes)));
        return nn.Sequential(layers);
    }

    /// <summary>Multiply-accumulates of one forward pass of one image through the conv and linear layers.</summary>
    public static long ForwardMacs(int inChannels, int classes, int height, int width, IReadOnlyList<(int Channels, int Stride)>? blocks = null)
    {
        blocks ??= DefaultBlocks;
        long macs = 0;
        int c = inChannels, h = height, w = width;
        foreach (var (channels, stride) in blocks)
        {
            h = (h + 2 - 3) / stride + 1;
            w = (w + 2 - 3) / stride + 1;
            macs += (long)h * w * channels * c * 9;
            c = channels;
        }
        return macs + (long)c * classes;
    }
}
