using System.Buffers.Binary;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Trainwright.IO;
using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>
/// The self-contained model file (<c>.trainwright</c>): weights plus everything needed to rebuild and feed the model,
/// with no training code, data or optimizer. Layout, all integers little-endian:
/// <code>
/// 8 bytes   magic "TWMODEL\n"
/// int32     format version
/// int32     manifest length M, then M bytes of UTF-8 JSON (<see cref="ModelManifest"/>)
/// int64     weights length W, then W bytes: the module's state (TorchSharp's format, parameters and buffers)
/// 32 bytes  SHA-256 of every byte before it
/// </code>
/// Files are written atomically (temporary file, then rename).
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The usual file extension.</summary>
    public const string Extension = ".trainwright";

    private static readonly byte[] Magic = "TWMODEL\n"u8.ToArray();
    private const int HashLength = 32;

    internal static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Version of this library, as written into files.</summary>
    public static string LibraryVersion { get; } =
        typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// Writes <paramref name="model"/>'s weights and <paramref name="description"/> to <paramref name="path"/>. Before
    /// writing, the architecture is rebuilt through <paramref name="registry"/> and must have exactly the model's
    /// parameter and buffer names and shapes, so every file written can be loaded.
    /// </summary>
    /// <exception cref="ModelFileException">The architecture cannot be rebuilt or does not match the model.</exception>
    public static void Write(string path, nn.Module model, ModelDescription description,
        IReadOnlyDictionary<string, string>? metadata = null, ModelRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(description);
        description.Input.Validate();
        registry ??= ModelRegistry.Default;
        // Building the check model initialises weights from the global generator: keep its state, so exporting in the
        // middle of a run changes nothing that follows.
        using (var rng = random.get_rng_state())
        {
            try
            {
                using var rebuilt = registry.Build(description.Architecture);
                string expected = Signature(rebuilt), actual = Signature(model);
                if (expected != actual)
                    throw new ModelFileException(
                        $"The architecture '{description.Architecture.Kind}' with its settings builds a model whose weights ({Shorten(expected)}) differ from the model being exported ({Shorten(actual)}); describe the model it really is.");
            }
            finally
            {
                random.set_rng_state(rng);
            }
        }
        var manifest = new ModelManifest(FormatVersion, LibraryVersion, DateTimeOffset.UtcNow, description.Architecture,
            description.Input, description.Target, metadata ?? new Dictionary<string, string>());
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
        byte[] weights;
        using (var ms = new MemoryStream())
        {
            using (var bw = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) model.save(bw);
            weights = ms.ToArray();
        }
        AtomicFile.Write(path, stream =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Put(ReadOnlySpan<byte> bytes)
            {
                hash.AppendData(bytes);
                stream.Write(bytes);
            }
            Span<byte> number = stackalloc byte[8];
            Put(Magic);
            BinaryPrimitives.WriteInt32LittleEndian(number, FormatVersion);
            Put(number[..4]);
            BinaryPrimitives.WriteInt32LittleEndian(number, header.Length);
            Put(number[..4]);
            Put(header);
            BinaryPrimitives.WriteInt64LittleEndian(number, weights.Length);
            Put(number);
            Put(weights);
            stream.Write(hash.GetHashAndReset());
        });
    }

    /// <summary>Reads and checks a file's manifest without building the model.</summary>
    /// <exception cref="ModelFileException">Missing, not a model file, from a newer format, or damaged.</exception>
    public static ModelManifest ReadManifest(string path) => Read(path).Manifest;

    /// <summary>Reads a file and rebuilds its model with the weights loaded, in eval mode.</summary>
    /// <exception cref="ModelFileException">Missing, not a model file, newer format, damaged, or its factory is not registered.</exception>
    public static LoadedModel Load(string path, ModelRegistry? registry = null)
    {
        var (manifest, weights) = Read(path);
        var model = (registry ?? ModelRegistry.Default).Build(manifest.Architecture);
        try
        {
            using var ms = new MemoryStream(weights);
            using var br = new BinaryReader(ms);
            model.load(br, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or EndOfStreamException)
        {
            model.Dispose();
            throw new ModelFileException($"Model file '{path}': its weights do not fit the '{manifest.Architecture.Kind}' model its factory builds ({e.Message}); was the factory changed since export?", e);
        }
        model.eval();
        return new LoadedModel(manifest, model);
    }

    private static (ModelManifest Manifest, byte[] Weights) Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new ModelFileException($"Model file '{path}' does not exist.");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"Model file '{path}' cannot be read: {e.Message}", e);
        }
        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new ModelFileException($"'{path}' is not a Trainwright model file (it does not start with the model-file signature); export one with learner.Export or `trainwright export`.");
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length));
        if (version > FormatVersion)
            throw new ModelFileException($"Model file '{path}' has format version {version}, newer than the {FormatVersion} this Trainwright {LibraryVersion} reads; update Trainwright to load it.");
        if (version < 1)
            throw new ModelFileException($"Model file '{path}' is damaged (format version {version}); export the model again.");
        int bodyLength = bytes.Length - HashLength;
        if (bodyLength < Magic.Length + 8 + 8 || !SHA256.HashData(bytes.AsSpan(0, bodyLength)).AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
            throw new ModelFileException($"Model file '{path}' is damaged: its checksum does not match its content (truncated or changed after export); export the model again.");
        int at = Magic.Length + 4;
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
        at += 4;
        if (headerLength < 2 || at + (long)headerLength + 8 > bodyLength)
            throw new ModelFileException($"Model file '{path}' is damaged: its manifest length is wrong; export the model again.");
        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(bytes.AsSpan(at, headerLength), Json)
                ?? throw new JsonException("empty manifest");
            manifest.Input.Validate();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new ModelFileException($"Model file '{path}' has an unreadable manifest ({e.Message}); export the model again.", e);
        }
        at += headerLength;
        long weightsLength = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
        at += 8;
        if (weightsLength < 0 || at + weightsLength != bodyLength)
            throw new ModelFileException($"Model file '{path}' is damaged: its weights length is wrong; export the model again.");
        return (manifest, bytes.AsSpan(at, (int)weightsLength).ToArray());
    }

    /// <summary>Names and shapes of every parameter and buffer, in order: two modules with the same signature can share weights.</summary>
    internal static string Signature(nn.Module model) =>
        string.Join("; ", model.state_dict().Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}]"));

    private static string Shorten(string s) => s.Length <= 160 ? s : s[..157] + "...";
}
