using System.Text.Json;
using System.Text.Json.Serialization;
using Trainwright.Data.Tables;

namespace Trainwright.Inference;

/// <summary>
/// Stores a <see cref="TabularPreprocessor"/> inside a model manifest as exactly the JSON of its own
/// <see cref="TabularPreprocessor.ToJson"/> / <see cref="TabularPreprocessor.FromJson"/>, so the file and a stored
/// preprocessing read the same way.
/// </summary>
internal sealed class TabularPreprocessorJsonConverter : JsonConverter<TabularPreprocessor>
{
    public override TabularPreprocessor Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return TabularPreprocessor.FromJson(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, TabularPreprocessor value, JsonSerializerOptions options)
    {
        using var document = JsonDocument.Parse(value.ToJson());
        document.RootElement.WriteTo(writer);
    }
}
