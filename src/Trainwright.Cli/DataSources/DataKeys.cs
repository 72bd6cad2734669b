using System.Text.Json;

namespace Trainwright.Cli.DataSources;

/// <summary>The <c>data.*</c> checkpoint metadata keys every source writes.</summary>
internal static class DataKeys
{
    /// <summary>The <see cref="IDataSource.Name"/> of the source the run trained on.</summary>
    public const string Source = "data.source";

    /// <summary>The class names in index order, as a JSON array of strings.</summary>
    public const string ClassNames = "data.class-names";

    public static string EncodeNames(IReadOnlyList<string> names) => JsonSerializer.Serialize(names);

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
