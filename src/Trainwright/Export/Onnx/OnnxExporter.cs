using System.Text.Json;
using Google.Protobuf;
using Onnx;
using Trainwright.Inference;
using Trainwright.IO;
using static TorchSharp.torch;

namespace Trainwright.Export.Onnx;

/// <summary>
/// Writes a module as an ONNX model with a dynamic batch axis: input <c>[N, …item shape]</c> float32, output
/// <c>[N, outputs]</c> (logits for a classifier). The input and target descriptions travel as metadata properties
/// (<c>trainwright.input</c>, <c>trainwright.target</c>, JSON) so a consumer without Trainwright can preprocess the same way
/// and name the classes.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Metadata key of the input description (JSON).</summary>
    public const string InputMetadataKey = "trainwright.input";

    /// <summary>Metadata key of the target description (JSON).</summary>
    public const string TargetMetadataKey = "trainwright.target";

    /// <summary>Metadata key saying whether normalisation is inside the graph (<c>true</c>) or the caller's job (<c>false</c>).</summary>
    public const string NormalizationInGraphKey = "trainwright.normalization_in_graph";

    /// <summary>
    /// Writes <paramref name="model"/> as ONNX to <paramref name="path"/> (atomically: nothing is written when a layer
    /// cannot be exported). The model is exported as in eval mode and left in the mode it was in.
    /// </summary>
    /// <exception cref="OnnxExportException">A layer the exporter does not know, or a setting ONNX cannot express.</exception>
    public static void Export(string path, nn.Module<Tensor, Tensor> model, ModelDescription description, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var proto = Build(model, description, options ?? new OnnxExportOptions());
        AtomicFile.Write(path, s => proto.WriteTo(s));
    }

    /// <summary>The ONNX model as bytes (for callers that store it elsewhere).</summary>
    public static byte[] ToBytes(nn.Module<Tensor, Tensor> model, ModelDescription description, OnnxExportOptions? options = null) =>
        Build(model, description, options ?? new OnnxExportOptions()).ToByteArray();

    internal static ModelProto Build(nn.Module<Tensor, Tensor> model, ModelDescription description, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(description);
        if (options.Opset < 17) throw new ArgumentOutOfRangeException(nameof(options), options.Opset, "The exporter writes opset 17 or newer.");
        var input = description.Input;
        input.Validate();
        var graph = new GraphProto { Name = description.Architecture.Kind };
        var builder = new OnnxGraphBuilder(graph);
        var x = new OnnxValue(options.InputName, [.. input.Shape.Select(d => (long)d)]);
        bool wasTraining = model.training;
        model.eval();
        OnnxValue y;
        try
        {
            if (options.IncludeNormalization && input.Normalize is { } n) x = Normalize(builder, x, n);
            y = builder.Export(model, x, "");
        }
        finally
        {
            if (wasTraining) model.train();
        }
        if (y.Name == options.InputName || graph.Initializer.Any(i => i.Name == y.Name))
            y = builder.Node("Identity", [y.Name], y.ItemShape);
        builder.Rename(y, options.OutputName);
        if (y.ItemShape.Count != 1 || y.ItemShape[0] != description.Target.Count)
            throw new OnnxExportException($"The model's output per item is [{string.Join(", ", y.ItemShape)}], but the description names {description.Target.Count} outputs.");
        graph.Input.Add(ValueInfo(options.InputName, input.Shape.Select(d => (long)d)));
        graph.Output.Add(ValueInfo(options.OutputName, y.ItemShape));

        var modelProto = new ModelProto
        {
            IrVersion = 8, // the IR version of opset 17 (ONNX 1.12); newer readers accept it
            ProducerName = "Trainwright",
            ProducerVersion = ModelFile.LibraryVersion,
            Graph = graph,
            DocString = $"{description.Architecture.Kind} exported by Trainwright {ModelFile.LibraryVersion}",
        };
        modelProto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        AddMetadata(modelProto, InputMetadataKey, JsonSerializer.Serialize(input, ModelFile.Json));
        AddMetadata(modelProto, TargetMetadataKey, JsonSerializer.Serialize(description.Target, ModelFile.Json));
        AddMetadata(modelProto, NormalizationInGraphKey, options.IncludeNormalization && input.Normalize is not null ? "true" : "false");
        AddMetadata(modelProto, "trainwright.architecture", JsonSerializer.Serialize(description.Architecture, ModelFile.Json));
        return modelProto;
    }

    private static OnnxValue Normalize(OnnxGraphBuilder builder, OnnxValue x, Normalization n)
    {
        // Statistics shaped to broadcast over one item: [C, 1, …] per channel, or [1] for one value.
        var shape = n.Mean.Count > 1 ? [n.Mean.Count, .. Enumerable.Repeat(1L, x.ItemShape.Count - 1)] : new long[] { 1 };
        using var mean = tensor(n.Mean.ToArray()).reshape(shape);
        using var std = tensor(n.Std.ToArray()).reshape(shape);
        var centred = builder.Node("Sub", [x.Name, builder.Initializer("input_mean", mean)], x.ItemShape);
        return builder.Node("Div", [centred.Name, builder.Initializer("input_std", std)], x.ItemShape);
    }

    private static ValueInfoProto ValueInfo(string name, IEnumerable<long> itemShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (var d in itemShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static void AddMetadata(ModelProto model, string key, string value) =>
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
}
