using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Trainwright.Cli.Host;
using Trainwright.Cli.Runs;
using Trainwright.Data;
using Trainwright.Inference;
using static TorchSharp.torch;

namespace Trainwright.Cli.Commands;

/// <summary>
/// <c>trainwright predict</c>: loads a trained model file (no training code, data set or optimizer) and names the class
/// of each input: the items of IDX image files, as a table, CSV or JSON.
/// </summary>
internal sealed class PredictCommand
{
    /// <summary>How predictions are printed (<c>--format</c>); the words are the names, lower-cased.</summary>
    internal enum OutputFormat { Table, Csv, Json }

    private static readonly string[] FormatNames = [.. Enum.GetNames<OutputFormat>().Select(n => n.ToLowerInvariant())];

    private readonly Option<string> model = new("--model")
    {
        Description = $"The run folder (holding {ModelFileLocation.FileName}) or the model file",
        HelpName = "RUN_OR_FILE",
        Required = true,
    };
    private readonly Argument<string[]> inputs = new("inputs")
    {
        Description = "IDX image files (…-images-idx3-ubyte[.gz]) or folders holding them (the test images, t10k-…, are used)",
        Arity = ArgumentArity.OneOrMore,
    };
    private readonly Option<int> top = CliOptions.Range("--top", "How many of the most probable classes to show per item", 3, 1, 100);
    private readonly Option<string> format = FormatOption();
    private readonly Option<int> batchSize = CliOptions.Range("--bs", "Items per forward pass", 256, 1, 65_536);
    private readonly Option<int?> maxItems = CliOptions.MaxItems();

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("predict", "Predict with a trained model: each input's class, its probability and the top alternatives");
        command.Options.Add(model);
        command.Arguments.Add(inputs);
        command.Options.Add(top);
        command.Options.Add(format);
        command.Options.Add(batchSize);
        command.Options.Add(maxItems);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        var path = ModelFileLocation.Resolve(result.GetValue(model)!, "--model");
        using var predictor = Predictor.Load(path);
        int bs = result.GetValue(batchSize);
        var k = Math.Min(result.GetValue(top), predictor.Labels.Count);
        var fmt = Enum.Parse<OutputFormat>(result.GetValue(format)!, ignoreCase: true);
        int? limit = result.GetValue(maxItems);
        var rows = new List<Row>();
        foreach (var input in result.GetValue(inputs)!)
        {
            foreach (var (name, items) in IdxItems(input, predictor.Input))
            {
                using (items)
                {
                    var take = limit is { } l ? Math.Min(items.shape[0], l - rows.Count) : items.shape[0];
                    if (take <= 0) break;
                    for (long start = 0; start < take; start += bs)
                    {
                        using var slice = items.slice(0, start, Math.Min(take, start + bs), 1);
                        var predictions = predictor.PredictBatch(slice);
                        rows.AddRange(predictions.Select((p, i) => new Row($"{name}#{start + i}", p, p.Top(k))));
                    }
                }
            }
        }
        Console.Write(fmt switch
        {
            OutputFormat.Csv => Csv(rows, predictor.Labels, k),
            OutputFormat.Json => Json(rows, predictor.Labels),
            _ => Table(rows, predictor.Labels),
        });
        return ExitCodes.Ok;
    }

    private static Option<string> FormatOption()
    {
        var option = new Option<string>("--format") { Description = "table (for people), csv or json (for programs)", DefaultValueFactory = _ => FormatNames[0] };
        option.AcceptOnlyFromAmong(FormatNames);
        return option;
    }

    private sealed record Row(string Item, Prediction Prediction, IReadOnlyList<(int Index, float Probability)> Top);

    /// <summary>The image items of an IDX file (or of the test images in a folder), scaled to [0, 1] and shaped as the model takes them.</summary>
    private static IEnumerable<(string Name, Tensor Items)> IdxItems(string input, InputDescription description)
    {
        if (string.IsNullOrWhiteSpace(input)) throw new CliException("An input is empty; give IDX image files or folders holding them.");
        var file = Directory.Exists(input) ? TestImagesIn(input) : input;
        if (!File.Exists(file)) throw new CliException($"Input '{input}' does not exist.");
        var idx = IdxReader.Read(file);
        if (idx.ElementType != IdxElementType.UByte || idx.Rank < 2)
            throw new CliException($"'{file}' holds {idx.ElementType} values of rank {idx.Rank}; predict reads IDX images (unsigned bytes, [items, height, width]).");
        long perItem = idx.ElementCount / idx.Dimensions[0];
        if (perItem != description.ItemSize)
            throw new CliException(
                $"'{file}' holds items of {string.Join("x", idx.Dimensions.Skip(1))} values, but the model takes {description.ShapeText} ({description.ItemSize} values) per item.");
        using var raw = idx.ToTensor();
        var items = raw.to_type(ScalarType.Float32).div_(255f).reshape([idx.Dimensions[0], .. description.Shape.Select(d => (long)d)]);
        yield return (Path.GetFileName(file), items);
    }

    private static string TestImagesIn(string folder)
    {
        foreach (var name in new[] { "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz", "train-images-idx3-ubyte", "train-images-idx3-ubyte.gz" })
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new CliException($"Folder '{folder}' holds no IDX images (t10k-images-idx3-ubyte[.gz] or train-images-idx3-ubyte[.gz]).");
    }

    private static string Table(List<Row> rows, IReadOnlyList<string> labels)
    {
        var sb = new StringBuilder();
        int width = Math.Max(4, rows.Count == 0 ? 4 : rows.Max(r => r.Item.Length));
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"item".PadRight(width)}  {"predicted",-12} {"probability",11}  top");
        foreach (var r in rows)
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Item.PadRight(width)}  {r.Prediction.Label,-12} {r.Prediction.Probability,11:F4}  {string.Join(", ", r.Top.Select(t => string.Create(CultureInfo.InvariantCulture, $"{labels[t.Index]} {t.Probability:F3}")))}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{rows.Count} item{(rows.Count == 1 ? "" : "s")}");
        return sb.ToString();
    }

    private static string Csv(List<Row> rows, IReadOnlyList<string> labels, int k)
    {
        var sb = new StringBuilder("item,predicted,probability");
        for (int i = 1; i <= k; i++) sb.Append(CultureInfo.InvariantCulture, $",top{i},top{i}_probability");
        sb.AppendLine();
        foreach (var r in rows)
        {
            sb.Append(CsvField(r.Item)).Append(',').Append(CsvField(r.Prediction.Label)).Append(',')
              .Append(r.Prediction.Probability.ToString("R", CultureInfo.InvariantCulture));
            foreach (var t in r.Top)
                sb.Append(',').Append(CsvField(labels[t.Index])).Append(',').Append(t.Probability.ToString("R", CultureInfo.InvariantCulture));
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static string CsvField(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Json(List<Row> rows, IReadOnlyList<string> labels) =>
        JsonSerializer.Serialize(rows.Select(r => new
        {
            item = r.Item,
            predicted = r.Prediction.Label,
            index = r.Prediction.Index,
            probability = r.Prediction.Probability,
            probabilities = labels.Select((l, i) => new { label = l, probability = r.Prediction.Probabilities[i] }),
        }), JsonOptions) + Environment.NewLine;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}
