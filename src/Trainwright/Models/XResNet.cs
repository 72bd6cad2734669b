using Trainwright.Init;
using static TorchSharp.torch;

namespace Trainwright.Models;

/// <summary>
/// A residual network in fastai's xresnet style: a stem of three 3×3 convs (the first with stride 2), four stages of
/// <see cref="ResBlock"/>s (the last three start with stride 2), adaptive average pooling and a linear head; Kaiming
/// normal init from <see cref="WeightInit"/>, and each block's last batch norm starts at zero so every block starts as
/// the identity. Unlike fastai there is no max-pool after the stem: small images (28–64 px) keep a usable feature map,
/// and the network is made only of Conv2d, BatchNorm2d, ReLU, AdaptiveAvgPool2d, Flatten, Linear, Sequential and ResBlock.
/// </summary>
public static class XResNet
{
    /// <summary>Blocks per stage for each supported depth.</summary>
    public static IReadOnlyDictionary<int, int[]> Depths { get; } = new Dictionary<int, int[]>
    {
        [18] = [2, 2, 2, 2],
        [34] = [3, 4, 6, 3],
    };

    /// <summary>Builds an xresnet.</summary>
    /// <param name="inChannels">Channels of the input images.</param>
    /// <param name="classes">Outputs.</param>
    /// <param name="depth">18 or 34.</param>
    /// <param name="width">Multiplies every channel count (1 = 64-128-256-512 channels; 0.25 suits a CPU).</param>
    public static nn.Module<Tensor, Tensor> Create(int inChannels, int classes, int depth = 18, double width = 1.0)
    {
        Mlp.Check(inChannels, nameof(inChannels));
        Mlp.Check(classes, nameof(classes));
        if (!Depths.TryGetValue(depth, out var blocks))
            throw new ArgumentOutOfRangeException(nameof(depth), depth, $"XResNet depth must be one of {string.Join(", ", Depths.Keys)}.");
        if (!(width > 0 && width <= 16)) throw new ArgumentOutOfRangeException(nameof(width), width, "The width multiplier must be in (0, 16].");

        int Scale(int c) => Math.Max(8, (int)Math.Round(c * width));
        var stemSizes = new[] { inChannels, (inChannels + 1) * 8, Scale(64), Scale(64) };
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        var stem = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < 3; i++)
        {
            stem.Add(($"conv{i}", nn.Conv2d(stemSizes[i], stemSizes[i + 1], 3, stride: i == 0 ? 2 : 1, padding: 1, bias: false)));
            stem.Add(($"bn{i}", nn.BatchNorm2d(stemSizes[i + 1])));
            stem.Add(($"relu{i}", nn.ReLU()));
        }
        layers.Add(("stem", nn.Sequential(stem)));
        int c = stemSizes[^1];
        int[] stageChannels = [Scale(64), Scale(128), Scale(256), Scale(512)];
        for (int s = 0; s < blocks.Length; s++)
        {
            var stage = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < blocks[s]; b++)
            {
                stage.Add(($"block{b}", new ResBlock(c, stageChannels[s], b == 0 && s > 0 ? 2 : 1)));
                c = stageChannels[s];
            }
            layers.Add(($"stage{s + 1}", nn.Sequential(stage)));
        }
        layers.Add(("pool", nn.AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("head", nn.Linear(c, classes)));
        var model = nn.Sequential(layers);
        Initialise(model);
        return model;
    }

    /// <summary>xresnet18: 2-2-2-2 blocks.</summary>
    public static nn.Module<Tensor, Tensor> XResNet18(int inChannels, int classes, double width = 1.0) => Create(inChannels, classes, 18, width);

    /// <summary>xresnet34: 3-4-6-3 blocks.</summary>
    public static nn.Module<Tensor, Tensor> XResNet34(int inChannels, int classes, double width = 1.0) => Create(inChannels, classes, 34, width);

    private static void Initialise(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            switch (module)
            {
                case TorchSharp.Modules.Conv2d conv:
                    WeightInit.KaimingNormal_(conv.weight!, 0, FanMode.FanIn, Nonlinearity.ReLU);
                    break;
                case TorchSharp.Modules.Linear linear:
                    WeightInit.KaimingNormal_(linear.weight!, 0, FanMode.FanIn, Nonlinearity.Linear);
                    linear.bias?.zero_();
                    break;
                case TorchSharp.Modules.BatchNorm2d bn:
                    bn.weight?.fill_(1);
                    bn.bias?.zero_();
                    break;
            }
        }
        // Each block starts as its shortcut: the residual branch's last batch norm scales by zero.
        foreach (var (_, module) in model.named_modules())
            if (module is ResBlock block
                && block.Convs is TorchSharp.Modules.Sequential seq && seq.named_children().Last().module is TorchSharp.Modules.BatchNorm2d last)
                last.weight?.zero_();
    }
}
