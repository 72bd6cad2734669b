using System.Globalization;
using Trainwright.Models;
using static TorchSharp.torch;

namespace Trainwright.Cli.Running;

/// <summary>
/// Which network a run trains and its sizes: enough to rebuild it before loading a checkpoint. Stored in every
/// checkpoint's metadata under <c>model.*</c> keys.
/// </summary>
internal sealed record ModelSpec(string Kind, int Height, int Width, int Hidden, int Classes)
{
    public const string Mlp = "mlp";
    public const string Cnn = "cnn";
    public static readonly string[] Kinds = [Mlp, Cnn];

    public int Inputs => Height * Width;

    /// <summary>Builds the network (call torch.manual_seed first for a reproducible init).</summary>
    public nn.Module<Tensor, Tensor> Build() => Kind switch
    {
        Mlp => Models.Mlp.Create(Inputs, Hidden, Classes),
        Cnn => Models.Cnn.Create(1, Classes),
        _ => throw new CliException($"Unknown model '{Kind}'; use one of: {string.Join(", ", Kinds)}."),
    };

    /// <summary>True when the model takes images [bs, 1, H, W] rather than flat rows.</summary>
    public bool NeedsImages => Kind == Cnn;

    public string Describe() => Kind == Mlp
        ? $"MLP {Inputs}-{Hidden}-{Classes}"
        : $"CNN {string.Join("-", Models.Cnn.DefaultBlocks.Select(b => b.Channels))} on 1x{Height}x{Width} images, {Classes} classes";

    public IEnumerable<KeyValuePair<string, string>> ToMetadata() =>
    [
        new("model.kind", Kind),
        new("model.height", Height.ToString(CultureInfo.InvariantCulture)),
        new("model.width", Width.ToString(CultureInfo.InvariantCulture)),
        new("model.hidden", Hidden.ToString(CultureInfo.InvariantCulture)),
        new("model.classes", Classes.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>The spec a checkpoint's metadata records, or null when it records none (not written by this tool).</summary>
    public static ModelSpec? FromMetadata(IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue("model.kind", out var kind)) return null;
        int Int(string key) => meta.TryGetValue(key, out var s) && int.TryParse(s, CultureInfo.InvariantCulture, out var v) ? v : 0;
        return new ModelSpec(kind, Int("model.height"), Int("model.width"), Int("model.hidden"), Int("model.classes"));
    }
}
