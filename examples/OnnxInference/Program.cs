// Predicts with an ONNX model exported by Trainwright, using only ONNX Runtime (and SkiaSharp to decode images): no
// Trainwright, no TorchSharp.
//   dotnet run -c Release --project examples/OnnxInference -- MODEL.onnx IMAGE_FILE            (an image model)
//   dotnet run -c Release --project examples/OnnxInference -- MODEL.onnx IDX_IMAGES[.gz] [ITEM] (an IDX model)
// The model's metadata says what it takes (trainwright.input: kind, shape, normalisation, and for image models the
// preprocessing: size, resize method, channels, mean, std) and what its outputs are (trainwright.target: class names).
// An image file is decoded and resized by ImageInput.cs, which mirrors Trainwright's ImagePreprocessing.ToModelInput;
// an IDX item is scaled to [0, 1] exactly as Trainwright's IDX loader does. Either is normalised here only when the
// graph does not already start with the normalisation.
using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Trainwright.Examples.OnnxInference;

if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: OnnxInference MODEL.onnx IMAGE_FILE   or   OnnxInference MODEL.onnx IDX_IMAGES[.gz] [ITEM]");
    return 2;
}
string modelPath = args[0], inputPath = args[1];
int item = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
try
{
    using var session = new InferenceSession(modelPath);
    var meta = session.ModelMetadata.CustomMetadataMap;
    if (!meta.TryGetValue("trainwright.input", out var inputJson) || !meta.TryGetValue("trainwright.target", out var targetJson))
        throw new InvalidDataException($"'{modelPath}' has no Trainwright metadata; export it with learner.ExportOnnx or predictor.ExportOnnx.");
    var input = JsonNode.Parse(inputJson)!;
    var shape = input["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
    var classes = JsonNode.Parse(targetJson)!["names"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
    bool normalisedInGraph = meta.TryGetValue("trainwright.normalization_in_graph", out var flag) && flag == "true";

    float[] pixels;
    string what;
    if (input["image"] is JsonObject image)
    {
        float[] Floats(string key) => [.. image[key]!.AsArray().Select(v => v!.GetValue<float>())];
        pixels = ImageInput.Prepare(File.ReadAllBytes(inputPath), image["size"]!.GetValue<int>(), image["resize"]!.GetValue<string>(),
            image["channels"]!.GetValue<int>(), normalisedInGraph ? null : Floats("mean"), normalisedInGraph ? null : Floats("std"));
        what = Path.GetFileName(inputPath);
    }
    else
    {
        pixels = ReadIdxItem(inputPath, item, out int height, out int width);
        if (pixels.Length != shape.Aggregate(1, (a, b) => a * b))
            throw new InvalidDataException($"The model takes items of shape [{string.Join(", ", shape)}], but IDX items are {height}x{width}.");
        what = $"{Path.GetFileName(inputPath)}[{item}]";
    }
    if (!normalisedInGraph && input["image"] is null && input["normalize"] is JsonObject norm)
    {
        var mean = norm["mean"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        var std = norm["std"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        int perChannel = pixels.Length / mean.Length;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (pixels[i] - mean[i / perChannel]) / std[i / perChannel];
    }

    var tensor = new DenseTensor<float>(pixels, [1, .. shape]);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), tensor)]);
    var logits = results[0].AsEnumerable<float>().ToArray();
    float max = logits.Max();
    var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
    double sum = exp.Sum();
    var ranked = exp.Select((e, i) => (Class: i, P: e / sum)).OrderByDescending(t => t.P).ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {classes[ranked[0].Class]} (p = {ranked[0].P:0.0000})"));
    foreach (var (c, p) in ranked.Take(3))
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {classes[c],-10} {p:0.0000}"));
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or OnnxRuntimeException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

// One item of an IDX unsigned-byte image file (magic 0x00000803, optionally gzipped), scaled to [0, 1].
static float[] ReadIdxItem(string path, int item, out int height, out int width)
{
    using Stream file = File.OpenRead(path);
    using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    using var reader = new BinaryReader(stream);
    int magic = BigEndian(reader);
    if (magic != 0x00000803) throw new InvalidDataException($"'{path}' is not an IDX file of byte images (magic 0x{magic:X8}).");
    int count = BigEndian(reader);
    height = BigEndian(reader);
    width = BigEndian(reader);
    if (item < 0 || item >= count) throw new InvalidDataException($"'{path}' has items 0..{count - 1}; there is no item {item}.");
    int size = height * width;
    for (long skip = (long)item * size; skip > 0;) skip -= reader.ReadBytes((int)Math.Min(skip, 1 << 20)).Length is 0 ? throw new EndOfStreamException() : Math.Min(skip, 1 << 20);
    var bytes = reader.ReadBytes(size);
    if (bytes.Length != size) throw new InvalidDataException($"'{path}' ends inside item {item}.");
    return [.. bytes.Select(b => b / 255f)];
}

static int BigEndian(BinaryReader reader)
{
    var b = reader.ReadBytes(4);
    if (b.Length != 4) throw new InvalidDataException("The IDX header is truncated.");
    return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
}
