using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Trainwright.Export.Onnx;

/// <summary>
/// Builds the ONNX graph of a module in eval mode. Built-in module types are translated by type; a module
/// implementing <see cref="IOnnxExportable"/> writes its own nodes through <see cref="Export"/>, <see cref="Add"/>,
/// <see cref="Relu"/>, <see cref="Initializer"/> and <see cref="Node"/>. Every value carries its per-item shape
/// (the batch axis stays dynamic), worked out by running each layer once on a zero item.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto graph;
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly Stack<string> path = new();

    internal OnnxGraphBuilder(GraphProto graph) => this.graph = graph;

    /// <summary>
    /// Emits the nodes of <paramref name="module"/> applied to <paramref name="input"/>. <paramref name="name"/> (the
    /// child's name, e.g. <c>conv1</c>) becomes part of its weights' names.
    /// </summary>
    /// <exception cref="OnnxExportException">The module, or a module inside it, has a type the exporter does not know.</exception>
    public OnnxValue Export(nn.Module module, OnnxValue input, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(input);
        path.Push(name ?? module.GetName());
        try
        {
            return module switch
            {
                IOnnxExportable custom => custom.ExportOnnx(this, input),
                Sequential seq => seq.named_children().Aggregate(input, (x, child) => Export(child.module, x, child.name)),
                Linear linear => ExportLinear(linear, input),
                Convolution conv => ExportConv(conv, input),
                BatchNorm bn => ExportBatchNorm(bn, input),
                ReLU => Relu(input),
                LeakyReLU leaky => Node("LeakyRelu", [input.Name], input.ItemShape, OnnxAttributes.Float("alpha", (float)leaky.negative_slope)),
                GELU gelu => ExportGelu(gelu, input),
                MaxPool2d pool => ExportMaxPool(pool, input),
                AvgPool2d pool => ExportAvgPool(pool, input),
                AdaptiveAvgPool2d pool => ExportAdaptiveAvgPool(pool, input),
                Flatten flatten => ExportFlatten(flatten, input),
                Dropout or Dropout2d or Identity => input,
                _ => throw Unknown(module),
            };
        }
        finally
        {
            path.Pop();
        }
    }

    /// <summary>Element-wise sum of two values of the same item shape (a residual connection).</summary>
    public OnnxValue Add(OnnxValue a, OnnxValue b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.ItemShape.SequenceEqual(b.ItemShape))
            throw new OnnxExportException($"Module '{Where}' adds values of different shapes: {a} and {b}.");
        return Node("Add", [a.Name, b.Name], a.ItemShape);
    }

    /// <summary>ReLU of a value.</summary>
    public OnnxValue Relu(OnnxValue x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Node("Relu", [x.Name], x.ItemShape);
    }

    /// <summary>Adds a constant (weights) to the graph as float32; returns its name.</summary>
    public string Initializer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var cpu = value.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var data = cpu.data<float>().ToArray();
        var proto = new TensorProto { Name = Unique(Qualified(name)), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(cpu.shape);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()));
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds a constant int64 tensor (shapes, axes); returns its name.</summary>
    public string Int64Initializer(string name, IReadOnlyList<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var proto = new TensorProto { Name = Unique(Qualified(name)), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Count);
        proto.Int64Data.AddRange(values);
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds one node with one output whose per-item shape is <paramref name="outputItemShape"/>.</summary>
    public OnnxValue Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<long> outputItemShape, params AttributeProto[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        var output = Unique(Qualified(opType.ToLowerInvariant()));
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return new OnnxValue(output, [.. outputItemShape]);
    }

    /// <summary>The module path being exported, e.g. <c>model/conv0</c>.</summary>
    public string Where => string.Join("/", path.Reverse().Where(p => p.Length > 0));

    internal void Rename(OnnxValue value, string newName)
    {
        foreach (var node in graph.Node)
            for (int i = 0; i < node.Output.Count; i++)
                if (node.Output[i] == value.Name) node.Output[i] = newName;
        foreach (var node in graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == value.Name) node.Input[i] = newName;
    }

    private OnnxValue ExportLinear(Linear linear, OnnxValue x)
    {
        var shape = x.ItemShape.ToArray();
        if (shape.Length == 0 || shape[^1] != linear.in_features)
            throw new OnnxExportException($"Module '{Where}' (Linear {linear.in_features}→{linear.out_features}) gets {x}; its last axis must be {linear.in_features}.");
        shape[^1] = linear.out_features;
        if (x.ItemShape.Count == 1)
        {
            var inputs = new List<string> { x.Name, Initializer("weight", linear.weight!) };
            if (linear.bias is { } b) inputs.Add(Initializer("bias", b));
            return Node("Gemm", inputs, shape, OnnxAttributes.Int("transB", 1));
        }
        using var wt = linear.weight!.detach().t();
        var y = Node("MatMul", [x.Name, Initializer("weight_t", wt)], shape);
        return linear.bias is { } bias ? Node("Add", [y.Name, Initializer("bias", bias)], shape) : y;
    }

    private OnnxValue ExportConv(Convolution conv, OnnxValue x)
    {
        if (conv is not Conv2d and not Conv1d)
            throw Unknown(conv);
        if (conv.transposed) throw Unknown(conv);
        if (conv.padding_mode != TorchSharp.PaddingModes.Zeros)
            throw new OnnxExportException($"Module '{Where}' ({conv.GetType().Name}) pads with {conv.padding_mode}; only zero padding can be exported.");
        var outShape = ProbeShape(conv, x);
        var inputs = new List<string> { x.Name, Initializer("weight", conv.weight!) };
        if (conv.bias is { } b) inputs.Add(Initializer("bias", b));
        var attrs = new List<AttributeProto>
        {
            OnnxAttributes.Ints("kernel_shape", conv.kernel_size),
            OnnxAttributes.Ints("strides", conv.stride),
            OnnxAttributes.Ints("dilations", conv.dilation),
            OnnxAttributes.Int("group", conv.groups),
        };
        if (conv.padding_type == TorchSharp.Padding.Same) attrs.Add(OnnxAttributes.String("auto_pad", "SAME_UPPER"));
        else attrs.Add(OnnxAttributes.Ints("pads", [.. conv.padding ?? new long[conv.kernel_size.Length], .. conv.padding ?? new long[conv.kernel_size.Length]]));
        return Node("Conv", inputs, outShape, [.. attrs]);
    }

    private OnnxValue ExportBatchNorm(BatchNorm bn, OnnxValue x)
    {
        if (!bn.track_running_stats || bn.running_mean is null || bn.running_var is null)
            throw new OnnxExportException($"Module '{Where}' ({bn.GetType().Name}) keeps no running statistics, so its eval output depends on the batch; it cannot be exported.");
        long c = bn.num_features;
        using var unitScale = ones(c);
        using var zeroShift = zeros(c);
        var inputs = new[]
        {
            x.Name,
            Initializer("weight", bn.weight ?? unitScale),
            Initializer("bias", bn.bias ?? zeroShift),
            Initializer("running_mean", bn.running_mean),
            Initializer("running_var", bn.running_var),
        };
        return Node("BatchNormalization", inputs, x.ItemShape, OnnxAttributes.Float("epsilon", (float)bn.eps));
    }

    private OnnxValue ExportGelu(GELU gelu, OnnxValue x)
    {
        // Opset 17 has no Gelu op (it arrives in 20), so compose it: exact 0.5·x·(1 + erf(x/√2)), or the tanh form.
        var s = x.ItemShape;
        string Scalar(string name, float v)
        {
            using var t = tensor(v);
            return Initializer(name, t);
        }
        OnnxValue inner;
        if (gelu.approximate == GELU.Approximate.tanh)
        {
            var cube = Node("Mul", [Node("Mul", [x.Name, x.Name], s).Name, x.Name], s);
            var poly = Node("Add", [x.Name, Node("Mul", [cube.Name, Scalar("c0044715", 0.044715f)], s).Name], s);
            inner = Node("Tanh", [Node("Mul", [poly.Name, Scalar("sqrt_2_over_pi", (float)Math.Sqrt(2 / Math.PI))], s).Name], s);
        }
        else
        {
            inner = Node("Erf", [Node("Div", [x.Name, Scalar("sqrt2", (float)Math.Sqrt(2))], s).Name], s);
        }
        var onePlus = Node("Add", [inner.Name, Scalar("one", 1f)], s);
        var half = Node("Mul", [x.Name, Scalar("half", 0.5f)], s);
        return Node("Mul", [half.Name, onePlus.Name], s);
    }

    private OnnxValue ExportMaxPool(MaxPool2d pool, OnnxValue x) =>
        Node("MaxPool", [x.Name], ProbeShape(pool, x),
            OnnxAttributes.Ints("kernel_shape", pool.kernel_size),
            OnnxAttributes.Ints("strides", pool.stride ?? pool.kernel_size),
            OnnxAttributes.Ints("pads", Pads(pool.padding, pool.kernel_size.Length)),
            OnnxAttributes.Ints("dilations", pool.dilation ?? Enumerable.Repeat(1L, pool.kernel_size.Length)),
            OnnxAttributes.Int("ceil_mode", pool.ceil_mode ? 1 : 0));

    private OnnxValue ExportAvgPool(AvgPool2d pool, OnnxValue x)
    {
        if (pool.divisor_override is not null)
            throw new OnnxExportException($"Module '{Where}' (AvgPool2d) has a divisor override, which ONNX's AveragePool cannot express.");
        return Node("AveragePool", [x.Name], ProbeShape(pool, x),
            OnnxAttributes.Ints("kernel_shape", pool.kernel_size),
            OnnxAttributes.Ints("strides", pool.stride ?? pool.kernel_size),
            OnnxAttributes.Ints("pads", Pads(pool.padding, pool.kernel_size.Length)),
            OnnxAttributes.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
            OnnxAttributes.Int("count_include_pad", pool.count_include_pad ? 1 : 0));
    }

    private OnnxValue ExportAdaptiveAvgPool(AdaptiveAvgPool2d pool, OnnxValue x)
    {
        var outShape = ProbeShape(pool, x);
        if (x.ItemShape.Count != 3)
            throw new OnnxExportException($"Module '{Where}' (AdaptiveAvgPool2d) gets {x}; it needs [N, C, H, W].");
        long h = x.ItemShape[1], w = x.ItemShape[2], oh = outShape[1], ow = outShape[2];
        if (oh == 1 && ow == 1) return Node("GlobalAveragePool", [x.Name], outShape);
        if (h % oh != 0 || w % ow != 0)
            throw new OnnxExportException($"Module '{Where}' (AdaptiveAvgPool2d) maps {h}x{w} to {oh}x{ow}, which is not a whole-number pooling window; ONNX has no adaptive pooling.");
        return Node("AveragePool", [x.Name], outShape,
            OnnxAttributes.Ints("kernel_shape", [h / oh, w / ow]), OnnxAttributes.Ints("strides", [h / oh, w / ow]));
    }

    private OnnxValue ExportFlatten(Flatten flatten, OnnxValue x)
    {
        int rank = x.ItemShape.Count + 1;
        long start = flatten.start_dim < 0 ? flatten.start_dim + rank : flatten.start_dim;
        long end = flatten.end_dim < 0 ? flatten.end_dim + rank : flatten.end_dim;
        if (start < 1)
            throw new OnnxExportException($"Module '{Where}' (Flatten from axis {flatten.start_dim}) would merge the batch axis; only flattening item axes can be exported.");
        var shape = ProbeShape(flatten, x);
        if (start == 1 && end == rank - 1) return Node("Flatten", [x.Name], shape, OnnxAttributes.Int("axis", 1));
        // Reshape's 0 copies the (dynamic) batch size.
        return Node("Reshape", [x.Name, Int64Initializer("shape", [0, .. shape])], shape);
    }

    /// <summary>Per-item output shape of a layer, found by running it on one zero item.</summary>
    private long[] ProbeShape(nn.Module<Tensor, Tensor> module, OnnxValue x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        try
        {
            var y = module.call(zeros([1, .. x.ItemShape]));
            return y.shape[1..];
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.Runtime.InteropServices.ExternalException)
        {
            throw new OnnxExportException($"Module '{Where}' ({module.GetType().Name}) cannot take input {x}: {e.Message.Split('\n')[0]}", e);
        }
    }

    private static long[] Pads(long[]? padding, int dims)
    {
        var p = padding ?? new long[dims];
        return [.. p, .. p];
    }

    private OnnxExportException Unknown(nn.Module module) =>
        new($"Cannot export module '{Where}' of type {module.GetType().FullName} to ONNX: the exporter knows Sequential, Linear, Conv1d/Conv2d, BatchNorm, ReLU, LeakyReLU, GELU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Dropout and Identity; implement IOnnxExportable on it to export it.");

    private string Qualified(string name)
    {
        var where = Where;
        return where.Length == 0 ? name : $"{where}/{name}";
    }

    private string Unique(string name)
    {
        if (names.Add(name)) return name;
        for (int i = 1; ; i++)
            if (names.Add($"{name}_{i}")) return $"{name}_{i}";
    }
}
