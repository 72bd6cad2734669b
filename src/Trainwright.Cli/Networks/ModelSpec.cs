using System.Globalization;
using Trainwright.Cli.DataSources;
using Trainwright.Cli.Host;
using Trainwright.Cli.Settings;
using static TorchSharp.torch;

namespace Trainwright.Cli.Networks;

/// <summary>
/// Which network a run trains and its sizes: enough to rebuild it before loading a checkpoint. Stored in every
/// checkpoint's metadata under <c>model.*</c> keys (this type is the only place that spells them).
/// </summary>
internal sealed record ModelSpec(ModelKind Kind, int Channels, int Height, int Width, int Hidden, int Classes)
{
    private const string KindKey = "model.kind", ChannelsKey = "model.channels", HeightKey = "model.height", WidthKey = "model.width",
        HiddenKey = "model.hidden", ClassesKey = "model.classes";

    /// <summary>Inputs per item of the MLP (channels × height × width).</summary>
    public long Inputs => (long)Channels * Height * Width;

    /// <summary>The spec for <paramref name="kind"/> sized from the data's shape.</summary>
    /// <exception cref="CliException">The data cannot feed this kind of model, or the model would exceed <see cref="Limits.MaxParameters"/>.</exception>
    public static ModelSpec For(ModelKind kind, int hidden, DataShape shape)
    {
        if (kind == ModelKind.Cnn && !shape.IsImage)
            throw new CliException("--model cnn needs images; this data set has feature columns: use --model mlp.");
        var spec = new ModelSpec(kind, shape.Channels, shape.Height, shape.Width, hidden, shape.Classes);
        spec.CheckSize();
        return spec;
    }

    /// <summary>How many parameters the network has (the MLP's; the CNN's blocks are fixed and small).</summary>
    public long ParameterCount => Kind == ModelKind.Mlp
        ? Inputs * Hidden + Hidden + (long)Hidden * Classes + Classes
        : Models.Cnn.DefaultBlocks[^1].Channels * (long)Classes + Classes;

    /// <exception cref="CliException">The network would be larger than <see cref="Limits.MaxParameters"/>.</exception>
    public void CheckSize()
    {
        if (Inputs < 1 || Hidden < 1 || Classes < 2)
            throw new CliException($"The model '{Describe()}' has an impossible size; check the data and --hidden.");
        if (ParameterCount > Limits.MaxParameters)
            throw new CliException(
                $"The model '{Describe()}' would have {ParameterCount:N0} parameters, more than the limit of {Limits.MaxParameters:N0}; "
                + "use a smaller --hidden, or check the data's image size and class count.");
    }

    /// <summary>Builds the network (call torch.manual_seed first for a reproducible init).</summary>
    public nn.Module<Tensor, Tensor> Build() => Kind switch
    {
        ModelKind.Mlp => Models.Mlp.Create((int)Inputs, Hidden, Classes),
        ModelKind.Cnn => Models.Cnn.Create(Channels, Classes),
        _ => throw new CliException($"Unknown model '{Kind}'."),
    };

    /// <summary>True when the model takes images [bs, C, H, W] rather than flat rows.</summary>
    public bool NeedsImages => Kind == ModelKind.Cnn;

    public string Describe() => Kind == ModelKind.Mlp
        ? $"MLP {Inputs}-{Hidden}-{Classes}"
        : $"CNN {string.Join("-", Models.Cnn.DefaultBlocks.Select(b => b.Channels))} on {Channels}x{Height}x{Width} images, {Classes} classes";

    public IEnumerable<KeyValuePair<string, string>> ToMetadata() =>
    [
        new(KindKey, Choices.Name(Kind)),
        new(ChannelsKey, I(Channels)),
        new(HeightKey, I(Height)),
        new(WidthKey, I(Width)),
        new(HiddenKey, I(Hidden)),
        new(ClassesKey, I(Classes)),
    ];

    /// <summary>The spec a checkpoint's metadata records, or null when it records none (not written by this tool).</summary>
    /// <exception cref="CliException">A recorded size is not a number in range (an edited or foreign checkpoint).</exception>
    public static ModelSpec? FromMetadata(IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue(KindKey, out var kindText)) return null;
        var kind = Choices.TryParse<ModelKind>(kindText)
            ?? throw new CliException($"The checkpoint records an unknown {KindKey} '{kindText}'; it was not written by this version of trainwright.");
        int Int(string key, int fallback, int max)
        {
            if (!meta.TryGetValue(key, out var s)) return fallback;
            return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 && v <= max ? v
                : throw new CliException($"The checkpoint records an invalid {key} '{s}'; it was edited or written by another tool.");
        }
        var spec = new ModelSpec(kind, Int(ChannelsKey, 1, 4096), Int(HeightKey, 0, 1 << 20), Int(WidthKey, 0, 1 << 20),
            Int(HiddenKey, 0, Limits.MaxHidden), Int(ClassesKey, 0, Limits.MaxClasses));
        return spec;
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
