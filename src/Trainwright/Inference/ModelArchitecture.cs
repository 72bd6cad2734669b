using System.Text.Json;
using System.Text.Json.Nodes;
using Trainwright.Models;

namespace Trainwright.Inference;

/// <summary>
/// A model's architecture as data: the name of the factory that builds it (a built-in kind such as <c>mlp</c> or
/// <c>cnn</c>, or a name registered in a <see cref="ModelRegistry"/>) and the settings that factory reads. A model file
/// stores this instead of code, and <see cref="Predictor.Load"/> rebuilds the module from it.
/// </summary>
/// <param name="Kind">Factory name, e.g. <c>mlp</c>, <c>cnn</c> or a user's registered name.</param>
/// <param name="Settings">What the factory needs (sizes, channels…), as JSON.</param>
public sealed record ModelArchitecture(string Kind, JsonObject Settings)
{
    /// <summary>The built-in kind of <see cref="Models.Mlp"/>.</summary>
    public const string MlpKind = "mlp";

    /// <summary>The built-in kind of <see cref="Models.Cnn"/>.</summary>
    public const string CnnKind = "cnn";

    /// <summary>The built-in kind of <see cref="Models.FastCnn"/>.</summary>
    public const string FastCnnKind = "fastcnn";

    /// <summary>The built-in kind of <see cref="Models.XResNet"/>.</summary>
    public const string XResNetKind = "xresnet";

    /// <summary>The built-in kind of <see cref="TabularModel"/>.</summary>
    public const string TabularKind = "tabular";

    /// <summary>Every built-in kind; a registry refuses to replace these.</summary>
    public static IReadOnlyList<string> BuiltInKinds { get; } = [MlpKind, CnnKind, FastCnnKind, XResNetKind, TabularKind];

    /// <summary>The lesson's MLP, <see cref="Models.Mlp.Create"/>.</summary>
    public static ModelArchitecture Mlp(int inputs, int hidden, int outputs) =>
        new(MlpKind, new JsonObject { ["inputs"] = inputs, ["hidden"] = hidden, ["outputs"] = outputs });

    /// <summary>The batch-norm CNN, <see cref="Models.Cnn.Create"/> (null blocks = <see cref="Models.Cnn.DefaultBlocks"/>).</summary>
    public static ModelArchitecture Cnn(int inChannels, int classes, IReadOnlyList<(int Channels, int Stride)>? blocks = null)
    {
        var list = new JsonArray();
        foreach (var (channels, stride) in blocks ?? Models.Cnn.DefaultBlocks)
            list.Add(new JsonObject { ["channels"] = channels, ["stride"] = stride });
        return new(CnnKind, new JsonObject { ["inChannels"] = inChannels, ["classes"] = classes, ["blocks"] = list });
    }

    /// <summary>The small, fast CNN, <see cref="Models.FastCnn.Create"/>, with its two conv widths and dense units.</summary>
    public static ModelArchitecture FastCnn(int inChannels, int classes, (int First, int Second)? channels = null, int hidden = Models.FastCnn.DefaultHidden)
    {
        var (first, second) = channels ?? Models.FastCnn.DefaultChannels;
        return new(FastCnnKind, new JsonObject
        {
            ["inChannels"] = inChannels, ["classes"] = classes, ["channels1"] = first, ["channels2"] = second, ["hidden"] = hidden,
        });
    }

    /// <summary>An xresnet, <see cref="Models.XResNet.Create"/>: <paramref name="depth"/> 18 or 34, channel <paramref name="width"/> multiplier.</summary>
    public static ModelArchitecture XResNet(int inChannels, int classes, int depth = 18, double width = 1.0) =>
        new(XResNetKind, new JsonObject { ["inChannels"] = inChannels, ["classes"] = classes, ["depth"] = depth, ["width"] = width });

    /// <summary>fastai's tabular model, <see cref="TabularModel"/>, with all its <paramref name="settings"/>.</summary>
    public static ModelArchitecture Tabular(TabularModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(TabularKind, JsonSerializer.SerializeToNode(settings, ModelFile.Json)!.AsObject());
    }

    /// <summary>A user's own model, built by the factory registered under <paramref name="factoryName"/>.</summary>
    public static ModelArchitecture Custom(string factoryName, JsonObject? settings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(factoryName);
        return new(factoryName, settings ?? []);
    }
}
