using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Trainwright.Cli.DataSources;

/// <summary>The <c>data.*</c> checkpoint metadata keys every source writes.</summary>
internal static class DataKeys
{
    /// <summary>The <see cref="IDataSource.Name"/> of the source the run trained on.</summary>
    public const string Source = "data.source";

    /// <summary>The class names in index order, as a JSON array of strings.</summary>
    public const string ClassNames = "data.class-names";

    /// <summary>
    /// The names as a JSON array of strings: the same text as <c>JsonSerializer.Serialize</c>, written directly, because the
    /// serializer's reflection-based set-up (over a hundred methods compiled at run time, before the first batch) is not
    /// worth it for an array of strings.
    /// </summary>
    public static string EncodeNames(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var name in names) writer.WriteStringValue(name);
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The class names a checkpoint records, or null when it records none (an older checkpoint).</summary>
    /// <exception cref="Host.CliException">The value is not a JSON array of strings.</exception>
    public static IReadOnlyList<string>? DecodeNames(IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue(ClassNames, out var json)) return null;
        try
        {
            return JsonSerializer.Deserialize<string[]>(json) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            throw new Host.CliException($"The checkpoint records invalid class names ({ClassNames}); it was edited or written by another tool.");
        }
    }
}
