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
        HiddenKey = "model.hidden", ClassesKey = "model.classes", NetWidthKey = "model.net-width", LayersKey = "model.layers",
        DesignKey = "model.design", FastDesign = "fast";

    /// <summary>The residual networks' channel multiplier (<c>--net-width</c>); 1 for the other kinds.</summary>
    public double NetWidth { get; init; } = 1;

    /// <summary>The tabular model's hidden layers, comma-separated (e.g. "200,100"); empty for the other kinds.</summary>
    public string Layers { get; init; } = "";

    /// <summary>Inputs per item of the MLP (channels × height × width), or the feature columns of a table.</summary>
    public long Inputs => (long)Channels * Height * Width;

    /// <summary>The spec for <paramref name="kind"/> sized from the data's shape.</summary>
    /// <exception cref="CliException">The data cannot feed this kind of model, or the model would exceed <see cref="Limits.MaxParameters"/>.</exception>
    public static ModelSpec For(ModelKind kind, RunSettings settings, DataShape shape)
    {
        if (kind is ModelKind.Cnn or ModelKind.LessonCnn or ModelKind.Resnet18 or ModelKind.Resnet34 && !shape.IsImage)
            throw new CliException($"--model {Choices.Name(kind)} needs images; this data set has feature columns: use --model tabular (the default for tables).");
        if (kind == ModelKind.Cnn && Math.Min(shape.Height, shape.Width) < Models.FastCnn.MinSize)
            throw new CliException(
                $"--model cnn needs images of at least {Models.FastCnn.MinSize}x{Models.FastCnn.MinSize} pixels, and these are {shape.Height}x{shape.Width}: "
                + $"train them at --size {Models.FastCnn.MinSize} or more (image folders), or use --model lesson-cnn, which takes any size.");
        var spec = new ModelSpec(kind, shape.Channels, shape.Height, shape.Width, settings.Hidden, shape.Outputs)
        {
            NetWidth = kind is ModelKind.Resnet18 or ModelKind.Resnet34 ? settings.NetWidth : 1,
            Layers = kind == ModelKind.Tabular ? string.Join(",", settings.LayerSizes()) : "",
        };
        spec.CheckSize();
        return spec;
    }

    /// <summary>The spec for an IDX-style image shape (the MLP or CNN of the lesson).</summary>
    public static ModelSpec For(ModelKind kind, int hidden, DataShape shape) => For(kind, new RunSettings { Hidden = hidden }, shape);

    /// <summary>The hidden layer sizes of the tabular model.</summary>
    public IReadOnlyList<int> LayerSizes => Layers.Length == 0 ? [] : [.. Layers.Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture))];

    /// <summary>
    /// About how many parameters the network has: exact for the MLP, the head for the CNN (its blocks are fixed and
    /// small), the linear layers for the tabular model (embeddings are bounded by the data); residual networks are
    /// bounded by <see cref="Limits.MaxNetWidth"/> (about 45 million at width 2).
    /// </summary>
    public long ParameterCount => Kind switch
    {
        ModelKind.Mlp => Inputs * Hidden + Hidden + (long)Hidden * Classes + Classes,
        ModelKind.Tabular => LayerSizes.Aggregate((Sum: 0L, Previous: Inputs), (acc, n) => (acc.Sum + acc.Previous * n + n, n)) is var (sum, last)
            ? sum + last * Classes + Classes : 0,
        ModelKind.Cnn => Models.FastCnn.ParameterCount(Channels, Classes),
        _ => Models.Cnn.DefaultBlocks[^1].Channels * (long)Classes + Classes,
    };

    /// <exception cref="CliException">The network would be larger than <see cref="Limits.MaxParameters"/>.</exception>
    public void CheckSize()
    {
        if (Inputs < 1 || Hidden < 1 || Classes < (Kind == ModelKind.Tabular ? 1 : 2))
            throw new CliException($"The model '{Describe()}' has an impossible size; check the data and --hidden.");
        if (ParameterCount > Limits.MaxParameters)
            throw new CliException(
                $"The model '{Describe()}' would have {ParameterCount:N0} parameters, more than the limit of {Limits.MaxParameters:N0}; "
                + $"use a smaller {(Kind == ModelKind.Tabular ? "--layers" : "--hidden")}, or check the data's size and class count.");
    }

    /// <summary>The network <see cref="Build"/> makes, as data for the run's model file (null for the tabular model, which its data describes).</summary>
    public Inference.ModelArchitecture? Architecture() => Kind switch
    {
        ModelKind.Mlp => Inference.ModelArchitecture.Mlp((int)Inputs, Hidden, Classes),
        ModelKind.Cnn => Inference.ModelArchitecture.FastCnn(Channels, Classes),
        ModelKind.LessonCnn => Inference.ModelArchitecture.Cnn(Channels, Classes),
        ModelKind.Resnet18 => Inference.ModelArchitecture.XResNet(Channels, Classes, 18, NetWidth),
        ModelKind.Resnet34 => Inference.ModelArchitecture.XResNet(Channels, Classes, 34, NetWidth),
        _ => null,
    };

    /// <summary>Builds an image or MLP network (call torch.manual_seed first for a reproducible init); the tabular model needs its data (<see cref="ITrainingData.CreateModel"/>).</summary>
    public nn.Module<Tensor, Tensor> Build() => Kind switch
    {
        ModelKind.Mlp => Models.Mlp.Create((int)Inputs, Hidden, Classes),
        ModelKind.Cnn => Models.FastCnn.Create(Channels, Classes),
        ModelKind.LessonCnn => Models.Cnn.Create(Channels, Classes),
        ModelKind.Resnet18 => Models.XResNet.Create(Channels, Classes, 18, NetWidth),
        ModelKind.Resnet34 => Models.XResNet.Create(Channels, Classes, 34, NetWidth),
        _ => throw new CliException($"The {Choices.Name(Kind)} model is built by its data source."),
    };

    /// <summary>True when the model takes images [bs, C, H, W] rather than flat rows.</summary>
    public bool NeedsImages => Kind is ModelKind.Cnn or ModelKind.LessonCnn or ModelKind.Resnet18 or ModelKind.Resnet34;

    public string Describe() => Kind switch
    {
        ModelKind.Mlp => $"MLP {Inputs}-{Hidden}-{Classes}",
        ModelKind.Cnn => $"CNN (5x5 conv {Models.FastCnn.DefaultChannels.First}, 3x3 conv {Models.FastCnn.DefaultChannels.Second}, dense {Models.FastCnn.DefaultHidden}) "
            + $"on {Channels}x{Height}x{Width} images, {Classes} classes",
        ModelKind.LessonCnn => $"lesson CNN {string.Join("-", Models.Cnn.DefaultBlocks.Select(b => b.Channels))} on {Channels}x{Height}x{Width} images, {Classes} classes",
        ModelKind.Resnet18 or ModelKind.Resnet34 =>
            $"XResNet{(Kind == ModelKind.Resnet18 ? 18 : 34)}{(NetWidth == 1 ? "" : $" (width {D(NetWidth)})")} on {Channels}x{Height}x{Width} images, {Classes} classes",
        _ => $"tabular model {Inputs}-{Layers.Replace(',', '-')}-{Classes}",
    };

    public IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        yield return new(KindKey, Choices.Name(Kind));
        yield return new(ChannelsKey, I(Channels));
        yield return new(HeightKey, I(Height));
        yield return new(WidthKey, I(Width));
        yield return new(HiddenKey, I(Hidden));
        yield return new(ClassesKey, I(Classes));
        if (NetWidth != 1) yield return new(NetWidthKey, D(NetWidth));
        if (Layers.Length > 0) yield return new(LayersKey, Layers);
        if (Kind == ModelKind.Cnn) yield return new(DesignKey, FastDesign);
    }

    /// <summary>
    /// The kind a checkpoint's <paramref name="recorded"/> word means: before <c>cnn</c> became <see cref="Models.FastCnn"/>,
    /// checkpoints recorded <c>cnn</c> for the lesson's CNN, without the design key the fast one writes.
    /// </summary>
    public static ModelKind RecordedKind(ModelKind recorded, IReadOnlyDictionary<string, string> meta) =>
        recorded == ModelKind.Cnn && meta.ContainsKey(KindKey) && !(meta.TryGetValue(DesignKey, out var design) && design == FastDesign)
            ? ModelKind.LessonCnn : recorded;

    /// <summary>The spec a checkpoint's metadata records, or null when it records none (not written by this tool).</summary>
    /// <exception cref="CliException">A recorded size is not a number in range (an edited or foreign checkpoint).</exception>
    public static ModelSpec? FromMetadata(IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue(KindKey, out var kindText)) return null;
        var kind = RecordedKind(Choices.TryParse<ModelKind>(kindText)
            ?? throw new CliException($"The checkpoint records an unknown {KindKey} '{kindText}'; it was not written by this version of trainwright."), meta);
        CliException Invalid(string key, string s) => new($"The checkpoint records an invalid {key} '{s}'; it was edited or written by another tool.");
        int Int(string key, int fallback, int max)
        {
            if (!meta.TryGetValue(key, out var s)) return fallback;
            return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 && v <= max ? v : throw Invalid(key, s);
        }
        double netWidth = 1;
        if (meta.TryGetValue(NetWidthKey, out var w)
            && !(double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out netWidth) && netWidth >= Limits.MinNetWidth && netWidth <= Limits.MaxNetWidth))
            throw Invalid(NetWidthKey, w);
        var layers = meta.TryGetValue(LayersKey, out var l) ? l : "";
        if (layers.Length > 0)
        {
            try
            {
                new RunSettings { Layers = layers }.LayerSizes();
            }
            catch (CliException)
            {
                throw Invalid(LayersKey, layers);
            }
        }
        return new ModelSpec(kind, Int(ChannelsKey, 1, 4096), Int(HeightKey, 0, 1 << 20), Int(WidthKey, 0, 1 << 20),
            Int(HiddenKey, 0, Limits.MaxHidden), Int(ClassesKey, 0, Limits.MaxClasses)) { NetWidth = netWidth, Layers = layers };
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
