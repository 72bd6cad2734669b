using System.Text.Json;
using Trainwright.Cli.DataSources;

namespace Trainwright.Tests.Cli;

/// <summary>Class names in checkpoint metadata: written without the reflection-based serializer, read back by it.</summary>
public sealed class DataKeysTests
{
    private static readonly string[] Digits = ["0", "1", "9"];
    private static readonly string[] Awkward = ["zero", "cat \"quoted\"", "back\\slash", "tab\tand\nnewline", "é ü 中文 😀", "<script>&'", "\u0001\u001f"];

    public static TheoryData<string[]> Names => new() { Array.Empty<string>(), Digits, Awkward };

    [Theory]
    [MemberData(nameof(Names))]
    public void Encoded_names_are_exactly_what_the_serializer_writes_and_decode_back(string[] names)
    {
        var encoded = DataKeys.EncodeNames(names);
        Assert.Equal(JsonSerializer.Serialize(names), encoded);
        var meta = new Dictionary<string, string> { [DataKeys.ClassNames] = encoded };
        Assert.Equal(names, DataKeys.DecodeNames(meta));
    }
}
