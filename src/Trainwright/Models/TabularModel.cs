using TorchSharp;
using TorchSharp.Modules;
using Trainwright.Export.Onnx;
using Trainwright.Init;
using static TorchSharp.torch;

namespace Trainwright.Models;

/// <summary>
/// fastai's tabular model: one embedding per categorical column, embedding dropout, batch norm on the continuous
/// block, then Linear → BatchNorm → ReLU → Dropout blocks and a linear head, optionally squashed into a y-range by a
/// sigmoid. It takes the whole batch as ONE float tensor [n, categorical + continuous], codes first (as
/// <see cref="Data.Tables.TabularMatrix"/> packs them; whole numbers are exact in float32 up to 2²⁴), so it plugs into
/// the Learner like any other <c>Module&lt;Tensor, Tensor&gt;</c>.
/// </summary>
public sealed class TabularModel : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly ModuleList<Embedding> embeds;
    private readonly Dropout embeddingDropout;
    private readonly BatchNorm1d? continuousNorm;
    private readonly Sequential layers;
    private readonly int categoricalCount, continuousCount;
    private readonly YRange? yRange;

    /// <summary>Builds the model from <paramref name="settings"/> and initialises it (<see cref="Initialise"/>).</summary>
    /// <exception cref="ArgumentException">The settings are inconsistent (no inputs, a cardinality below 1, mismatched list lengths).</exception>
    public TabularModel(TabularModelSettings settings, Generator? generator = null) : base(nameof(TabularModel))
    {
        ArgumentNullException.ThrowIfNull(settings);
        Check(settings);
        Settings = settings;
        categoricalCount = settings.Cardinalities.Count;
        continuousCount = settings.ContinuousCount;
        yRange = settings.YRange;
        var sizes = settings.ResolvedEmbeddingSizes();
        embeds = new ModuleList<Embedding>([.. settings.Cardinalities.Select((n, i) => nn.Embedding(n, sizes[i]))]);
        embeddingDropout = nn.Dropout(settings.EmbeddingDropout);
        continuousNorm = settings.BatchNormContinuous && continuousCount > 0 ? nn.BatchNorm1d(continuousCount) : null;
        var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
        int width = sizes.Sum() + continuousCount;
        for (int i = 0; i < settings.Layers.Count; i++)
        {
            int size = settings.Layers[i];
            blocks.Add(($"lin{i}", nn.Linear(width, size, hasBias: false)));
            blocks.Add(($"bn{i}", nn.BatchNorm1d(size)));
            blocks.Add(($"relu{i}", nn.ReLU()));
            double p = settings.Dropouts?[i] ?? 0;
            if (p > 0) blocks.Add(($"drop{i}", nn.Dropout(p)));
            width = size;
        }
        blocks.Add(("head", nn.Linear(width, settings.Outputs)));
        layers = nn.Sequential(blocks);
        RegisterComponents();
        Initialise(generator);
    }

    /// <summary>The settings the model was built from.</summary>
    public TabularModelSettings Settings { get; }

    /// <summary>
    /// Our init: embeddings from a normal truncated at ±2σ with σ = 0.01 (fastai's), hidden linear layers Kaiming-normal
    /// for the ReLU that follows them, the head Kaiming-normal for a linear output with a zero bias; batch norms start
    /// at weight 1, bias 0.
    /// </summary>
    public void Initialise(Generator? generator = null)
    {
        using var _ = no_grad();
        foreach (var e in embeds) WeightInit.TruncNormal_(e.weight!, 0, 0.01, -0.02, 0.02, generator);
        foreach (var m in layers.children())
        {
            if (m is not Linear lin) continue;
            bool head = ReferenceEquals(m, layers.children().Last());
            WeightInit.KaimingNormal_(lin.weight!, a: 0, nonlinearity: head ? Nonlinearity.Linear : Nonlinearity.ReLU, generator: generator);
            lin.bias?.zero_();
        }
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Dimensions != 2 || input.size(1) != categoricalCount + continuousCount)
            throw new ArgumentException(
                $"The tabular model takes [rows, {categoricalCount + continuousCount}] inputs ({categoricalCount} codes, {continuousCount} values); got [{string.Join(", ", input.shape)}].",
                nameof(input));
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        if (categoricalCount > 0)
        {
            var codes = input.narrow(1, 0, categoricalCount).to_type(ScalarType.Int64);
            var embedded = cat([.. embeds.Select((e, i) => e.call(codes.select(1, i)))], 1);
            parts.Add(embeddingDropout.call(embedded));
        }
        if (continuousCount > 0)
        {
            var values = input.narrow(1, categoricalCount, continuousCount);
            parts.Add(continuousNorm is null ? values : continuousNorm.call(values));
        }
        var output = layers.call(parts.Count == 1 ? parts[0] : cat(parts, 1));
        if (yRange is not null) output = output.sigmoid().mul(yRange.High - yRange.Low).add(yRange.Low);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ONNX nodes of the model in eval mode: each code column sliced, cast to int64 and looked up in its embedding
    /// (Gather), the continuous block sliced and batch-normalised, the concatenation through the Linear/BatchNorm/ReLU
    /// layers (dropout is the identity), and the y-range as Sigmoid, Mul, Add.
    /// </summary>
    public OnnxValue ExportOnnx(OnnxGraphBuilder graph, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var (g, x) = (graph, input);
        ArgumentNullException.ThrowIfNull(input);
        if (x.ItemShape.Count != 1 || x.ItemShape[0] != categoricalCount + continuousCount)
            throw new OnnxExportException($"Module '{g.Where}' (TabularModel) takes [N, {categoricalCount + continuousCount}] inputs; got {x}.");
        OnnxValue Columns(int start, int count, string name) =>
            g.Node("Slice", [x.Name, g.Int64Initializer($"{name}_start", [start]), g.Int64Initializer($"{name}_end", [start + count]), g.Int64Initializer($"{name}_axis", [1])], [count]);
        var parts = new List<OnnxValue>();
        for (int i = 0; i < categoricalCount; i++)
        {
            var weight = embeds[i].weight!;
            long width = weight.size(1);
            var codes = g.Node("Cast", [Columns(i, 1, $"embeds.{i}.column").Name], [1], OnnxAttributes.Int("to", (long)global::Onnx.TensorProto.Types.DataType.Int64));
            var looked = g.Node("Gather", [g.Initializer($"embeds.{i}.weight", weight), codes.Name], [1, width], OnnxAttributes.Int("axis", 0));
            parts.Add(g.Node("Flatten", [looked.Name], [width], OnnxAttributes.Int("axis", 1)));
        }
        if (continuousCount > 0)
        {
            var values = Columns(categoricalCount, continuousCount, "continuous");
            parts.Add(continuousNorm is null ? values : g.Export(continuousNorm, values, nameof(continuousNorm)));
        }
        var joined = parts.Count == 1 ? parts[0]
            : g.Node("Concat", [.. parts.Select(p => p.Name)], [parts.Sum(p => p.ItemShape[0])], OnnxAttributes.Int("axis", 1));
        var y = g.Export(layers, joined, nameof(layers));
        if (yRange is null) return y;
        using var scale = tensor((float)(yRange.High - yRange.Low));
        using var low = tensor((float)yRange.Low);
        var squashed = g.Node("Sigmoid", [y.Name], y.ItemShape);
        var scaled = g.Node("Mul", [squashed.Name, g.Initializer("y_range_scale", scale)], y.ItemShape);
        return g.Node("Add", [scaled.Name, g.Initializer("y_range_low", low)], y.ItemShape);
    }

    private static void Check(TabularModelSettings s)
    {
        if (s.Cardinalities.Count + s.ContinuousCount == 0) throw new ArgumentException("A tabular model needs at least one input column.", nameof(s));
        if (s.Cardinalities.Any(c => c < 1)) throw new ArgumentException("Every categorical column needs at least one code.", nameof(s));
        if (s.ContinuousCount < 0) throw new ArgumentException("The continuous count cannot be negative.", nameof(s));
        if (s.Outputs < 1) throw new ArgumentException("The model needs at least one output.", nameof(s));
        if (s.Layers.Any(l => l < 1)) throw new ArgumentException("Every layer needs at least one unit.", nameof(s));
        if (s.Dropouts is not null && s.Dropouts.Count != s.Layers.Count)
            throw new ArgumentException($"Give one dropout per layer: {s.Layers.Count} layers but {s.Dropouts.Count} dropouts.", nameof(s));
        if (s.EmbeddingSizes is not null && s.EmbeddingSizes.Count != s.Cardinalities.Count)
            throw new ArgumentException($"Give one embedding size per categorical column: {s.Cardinalities.Count} columns but {s.EmbeddingSizes.Count} sizes.", nameof(s));
        if (s.Dropouts?.Any(p => p is < 0 or >= 1) == true || s.EmbeddingDropout is < 0 or >= 1)
            throw new ArgumentException("Dropout probabilities must be in [0, 1).", nameof(s));
        if (s.YRange is { } r && !(r.Low < r.High)) throw new ArgumentException($"The y-range needs Low < High; got ({r.Low}, {r.High}).", nameof(s));
    }
}
