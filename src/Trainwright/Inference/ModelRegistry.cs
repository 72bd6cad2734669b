using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Trainwright.Models;
using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>
/// Model factories by name: the built-in <c>mlp</c>, <c>cnn</c>, <c>fastcnn</c>, <c>xresnet</c> and <c>tabular</c>, and any a user registers for their own module
/// class. A model file names its factory; loading it asks the registry to build the module before the weights go in.
/// Safe to use from several threads.
/// </summary>
public sealed class ModelRegistry
{
    private readonly ConcurrentDictionary<string, ModelFactory> factories = new(StringComparer.Ordinal);

    /// <summary>Creates a registry holding the built-in kinds.</summary>
    public ModelRegistry()
    {
        factories[ModelArchitecture.MlpKind] = s => Mlp.Create(Int(s, "inputs"), Int(s, "hidden"), Int(s, "outputs"));
        factories[ModelArchitecture.CnnKind] = s => Cnn.Create(Int(s, "inChannels"), Int(s, "classes"), Blocks(s));
        factories[ModelArchitecture.FastCnnKind] = s => FastCnn.Create(Int(s, "inChannels"), Int(s, "classes"),
            (Int(s, "channels1"), Int(s, "channels2")), Int(s, "hidden"));
        factories[ModelArchitecture.XResNetKind] = s => XResNet.Create(Int(s, "inChannels"), Int(s, "classes"), Int(s, "depth"),
            s["width"]?.GetValue<double>() ?? throw new KeyNotFoundException("setting 'width' is missing"));
        factories[ModelArchitecture.TabularKind] = s => new TabularModel(
            s.Deserialize<TabularModelSettings>(ModelFile.Json) ?? throw new FormatException("the tabular settings are null"));
    }

    /// <summary>The registry <see cref="Predictor.Load"/> uses unless given another.</summary>
    public static ModelRegistry Default { get; } = new();

    /// <summary>Names that can be built.</summary>
    public IReadOnlyCollection<string> Names => [.. factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Registers (or replaces) the factory for <paramref name="name"/>; the built-in names cannot be replaced.</summary>
    public void Register(string name, ModelFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (ModelArchitecture.BuiltInKinds.Contains(name))
            throw new ArgumentException($"'{name}' is a built-in model kind; register your factory under another name.", nameof(name));
        factories[name] = factory;
    }

    /// <summary>True when a factory is registered under <paramref name="name"/>.</summary>
    public bool Contains(string name) => factories.ContainsKey(name);

    /// <summary>Builds a fresh module for <paramref name="architecture"/>.</summary>
    /// <exception cref="ModelFileException">No factory is registered under its kind, or its settings are unusable.</exception>
    public nn.Module<Tensor, Tensor> Build(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (!factories.TryGetValue(architecture.Kind, out var factory))
            throw new ModelFileException(
                $"The model needs the factory '{architecture.Kind}', which is not registered: call ModelRegistry.Default.Register(\"{architecture.Kind}\", settings => new YourModel(...)) before loading (registered: {string.Join(", ", Names)}).");
        try
        {
            return factory(architecture.Settings);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or KeyNotFoundException or JsonException)
        {
            throw new ModelFileException($"The '{architecture.Kind}' factory could not build the model from its stored settings: {e.Message}", e);
        }
    }

    private static int Int(JsonObject settings, string name) =>
        settings[name]?.GetValue<int>() ?? throw new KeyNotFoundException($"setting '{name}' is missing");

    private static List<(int Channels, int Stride)> Blocks(JsonObject settings) =>
        settings["blocks"] is JsonArray blocks
            ? [.. blocks.Select(b => b is JsonObject o ? (Int(o, "channels"), Int(o, "stride")) : throw new FormatException("a CNN block is not an object"))]
            : throw new KeyNotFoundException("setting 'blocks' is missing");
}
