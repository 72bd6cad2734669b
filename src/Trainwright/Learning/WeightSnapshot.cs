using System.Text;
using static TorchSharp.torch;

namespace Trainwright.Learning;

/// <summary>A model's weights copied into managed memory (no native memory held), to be put back later.</summary>
internal sealed class WeightSnapshot
{
    private readonly byte[] bytes;

    private WeightSnapshot(byte[] bytes) => this.bytes = bytes;

    /// <summary>Copies <paramref name="model"/>'s parameters and buffers.</summary>
    public static WeightSnapshot Of(nn.Module model)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) model.save(w);
        return new WeightSnapshot(ms.ToArray());
    }

    /// <summary>Copies the saved values back into <paramref name="model"/> (same architecture; values land on its device).</summary>
    public void RestoreInto(nn.Module model)
    {
        using var ms = new MemoryStream(bytes, writable: false);
        using var r = new BinaryReader(ms, Encoding.UTF8);
        model.load(r);
    }
}
