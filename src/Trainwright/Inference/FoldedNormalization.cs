using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>
/// A loaded model with its input normalisation folded into its first layer, so raw input goes straight in. The first
/// layer sees normalised input z = x·s + t (s = 1/std, t = −mean/std, per feature or per channel), and for a Linear or a
/// Conv2d W·z + b = (W·s)·x + (b + W·t): one set of changed weights replaces two element-wise passes over every input,
/// which for a small model is a large share of a prediction. Exact up to float rounding (the new weights are computed in
/// double). Built only where that algebra holds: the model is a <see cref="Sequential"/> whose first module is a
/// <see cref="Linear"/> on flat items, or a <see cref="Conv2d"/> with one group and no padding (zero padding is added
/// after normalisation, so a padded border would not fold). The folded layer's weights belong to this object; the other
/// layers are the loaded model's, borrowed, so the model itself stays as it was (ONNX export reads it).
/// </summary>
internal sealed class FoldedNormalization : IDisposable
{
    private readonly Tensor weight;
    private readonly Tensor bias;
    private readonly Conv2d? conv;
    private readonly nn.Module<Tensor, Tensor>[] rest;

    private FoldedNormalization(Tensor weight, Tensor bias, Conv2d? conv, nn.Module<Tensor, Tensor>[] rest)
    {
        this.weight = weight;
        this.bias = bias;
        this.conv = conv;
        this.rest = rest;
    }

    /// <summary>The folded model, or null when <paramref name="model"/> or <paramref name="input"/> does not allow it (see the class remarks).</summary>
    public static FoldedNormalization? TryCreate(nn.Module<Tensor, Tensor> model, InputDescription input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        if (input.Normalize is not { } stats || model is not Sequential sequential) return null;
        var modules = sequential.named_children().Select(c => c.module).ToList();
        if (modules.Count == 0 || modules.Any(m => m is not nn.Module<Tensor, Tensor>)) return null;
        var rest = modules.Skip(1).Cast<nn.Module<Tensor, Tensor>>().ToArray();
        switch (modules[0])
        {
            case Linear linear when input.Shape.Count == 1 && linear.weight.shape[1] == input.Shape[0]:
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var (s, t) = ScaleAndShift(stats, input.Shape[0], linear.weight.device);
                var w = linear.weight.to_type(ScalarType.Float64);                          // [out, in]
                var b = w.matmul(t);                                                          // W·t
                if (linear.bias is { } b0) b = b.add(b0.to_type(ScalarType.Float64));
                var folded = new FoldedNormalization(
                    w.mul(s).to_type(linear.weight.dtype).MoveToOuterDisposeScope(),
                    b.to_type(linear.weight.dtype).MoveToOuterDisposeScope(), null, rest);
                return folded;
            }
            case Conv2d c when input.Shape.Count == 3 && c.groups == 1 && c.in_channels == input.Shape[0] && HasNoPadding(c):
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var (s, t) = ScaleAndShift(stats, input.Shape[0], c.weight.device);
                var w = c.weight.to_type(ScalarType.Float64);                               // [out, in, kh, kw]
                var b = w.mul(t.view(1, -1, 1, 1)).sum([1, 2, 3]);                          // W·t per output channel
                if (c.bias is { } b0) b = b.add(b0.to_type(ScalarType.Float64));
                return new FoldedNormalization(
                    w.mul(s.view(1, -1, 1, 1)).to_type(c.weight.dtype).MoveToOuterDisposeScope(),
                    b.to_type(c.weight.dtype).MoveToOuterDisposeScope(), c, rest);
            }
            default:
                return null;
        }
    }

    /// <summary>The model's output for a batch on the raw scale (<see cref="IInputPreprocessor.ToRawScale"/>); intermediates are disposed as it goes.</summary>
    public Tensor Forward(Tensor raw)
    {
        var h = conv is null
            ? nn.functional.linear(raw, weight, bias)
            : nn.functional.conv2d(raw, weight, bias, conv.stride, [0, 0], conv.dilation, 1);
        foreach (var layer in rest)
        {
            var next = layer.call(h);
            if (!ReferenceEquals(next, h)) h.Dispose(); // an in-place layer hands back its input
            h = next;
        }
        return h;
    }

    /// <summary>Frees the folded layer's weights (not the borrowed layers).</summary>
    public void Dispose()
    {
        weight.Dispose();
        bias.Dispose();
    }

    /// <summary>s = 1/std and t = −mean/std in double, one per feature or channel (a global statistic repeated).</summary>
    private static (Tensor Scale, Tensor Shift) ScaleAndShift(Normalization stats, int count, Device device)
    {
        double Pick(IReadOnlyList<float> values, int i) => values.Count == 1 ? values[0] : values[i];
        var scale = new double[count];
        var shift = new double[count];
        for (int i = 0; i < count; i++)
        {
            double std = Pick(stats.Std, i);
            scale[i] = 1 / std;
            shift[i] = -Pick(stats.Mean, i) / std;
        }
        return (tensor(scale, device: device), tensor(shift, device: device));
    }

    private static bool HasNoPadding(Conv2d c) =>
        (c.padding_type is null or TorchSharp.Padding.Valid) && (c.padding is null || c.padding.All(p => p == 0));
}
