using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Learning;

/// <summary>Picks and compares devices.</summary>
public static class Devices
{
    /// <summary>CUDA when a GPU is usable, otherwise the CPU.</summary>
    public static Device Best() => cuda.is_available() ? CUDA : CPU;

    /// <summary>The device of the model's first parameter (or buffer), or the CPU for a model that has neither.</summary>
    public static Device Of(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.parameters().FirstOrDefault()?.device ?? model.buffers().FirstOrDefault()?.device ?? CPU;
    }

    /// <summary>
    /// True when a tensor on <paramref name="a"/> lives on <paramref name="b"/>. An index of -1 ("the current device of
    /// that type", e.g. plain <c>cuda</c>) matches any index of the same type.
    /// </summary>
    public static bool Same(Device a, Device b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.type == b.type && (a.index == b.index || a.index < 0 || b.index < 0);
    }
}
