using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Trainwright.Cli.Host;
using Trainwright.Cli.Runs;
using Trainwright.Data;
using Trainwright.Data.Images;
using Trainwright.Data.Tables;
using Trainwright.Inference;
using static TorchSharp.torch;

namespace Trainwright.Cli.Commands;

/// <summary>
/// <c>trainwright predict</c>: loads a trained model file (no training code, data set or optimizer) and predicts each
/// input — image files and folders for an image model, CSV or Parquet rows for a table model, the items of IDX image
/// files for a model trained on IDX data — printed as a table, CSV or JSON.
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
        Description = "Image files or folders of images (image models); CSV or Parquet files (table models); IDX image files "
            + "(…-images-idx3-ubyte[.gz]) or folders holding them (models trained on IDX data; the test images, t10k-…, are used)",
        Arity = ArgumentArity.OneOrMore,
    };
    private readonly Option<int> top = CliOptions.Range("--top", "How many of the most probable classes to show per item", 3, 1, 100);
    private readonly Option<string> format = FormatOption();
    private readonly Option<int> batchSize = CliOptions.Range("--bs", "Items per forward pass", new PredictorOptions().MaxBatchSize, 1, PredictorOptions.MaxBatchSizeLimit);
    private readonly Option<int> workers = CliOptions.Range("--workers", "Threads decoding images at once (image models; default: one per core)",
        new PredictorOptions().DecodeThreads, 1, PredictorOptions.MaxDecodeThreads);
    private readonly Option<int?> maxItems = CliOptions.MaxItems();

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("predict", "Predict with a trained model: each input's class, its probability and the top alternatives");
        command.Options.Add(model);
        command.Arguments.Add(inputs);
        command.Options.Add(top);
        command.Options.Add(format);
        command.Options.Add(batchSize);
        command.Options.Add(workers);
        command.Options.Add(maxItems);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        var path = ModelFileLocation.Resolve(result.GetValue(model)!, "--model");
        int bs = result.GetValue(batchSize);
        using var predictor = Predictor.Load(path, options: new PredictorOptions { MaxBatchSize = bs, DecodeThreads = result.GetValue(workers) });
        var k = Math.Min(result.GetValue(top), predictor.Labels.Count);
        var fmt = Enum.Parse<OutputFormat>(result.GetValue(format)!, ignoreCase: true);
        int? limit = result.GetValue(maxItems);
        var rows = new List<Row>();
        var given = result.GetValue(inputs)!;
        switch (predictor.Input.Kind)
        {
            case InputKind.Image:
                PredictImages(predictor, ImageFiles(given, limit), k, rows);
                break;
            case InputKind.Table:
                foreach (var table in given)
                {
                    if (!File.Exists(table) || RegularFile.WhatElse(table) is not null)
                        throw new CliException($"Input '{table}' is not a regular file; a table model reads CSV or Parquet files.");
                    var predictions = predictor.PredictTable(table);
                    var take = limit is { } l ? Math.Min(predictions.Count, l - rows.Count) : predictions.Count;
                    rows.AddRange(predictions.Take(take).Select((p, i) => new Row($"{Path.GetFileName(table)}#{i + 1}", p, p.Top(k), null)));
                }
                break;
            default:
                PredictIdx(predictor, given, bs, limit, k, rows);
                break;
        }
        bool regression = predictor.Manifest.Target.Kind == TargetKind.Regression;
        // A table model's CSV is the input rows with the prediction added, so it can be read beside the data.
        if (predictor.Input.Kind == InputKind.Table && fmt == OutputFormat.Csv && given.All(IsCsv))
        {
            WriteTableRows(given, rows, predictor.Labels, regression);
            return ExitCodes.Ok;
        }
        Console.Write(fmt switch
        {
            OutputFormat.Csv => Csv(rows, predictor.Labels, k, regression),
            OutputFormat.Json => Json(rows, predictor.Labels, regression),
            _ => Table(rows, predictor.Labels, regression),
        });
        int failed = rows.Count(r => r.Error is not null);
        if (failed > 0) Console.Error.WriteLine($"warning: {failed} of {rows.Count} inputs could not be predicted; their errors are in the output.");
        return ExitCodes.Ok;
    }

    private static bool IsCsv(string path) =>
        !string.Equals(Path.GetExtension(path), ".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>Each input row's fields, then the predicted class and each class's probability (or the predicted value).</summary>
    private static void WriteTableRows(IEnumerable<string> files, List<Row> rows, IReadOnlyList<string> labels, bool regression)
    {
        int next = 0;
        var sb = new StringBuilder();
        bool headerWritten = false;
        foreach (var file in files)
        {
            bool header = true;
            foreach (var fields in CsvRows.Read(file))
            {
                if (header)
                {
                    header = false;
                    if (headerWritten) continue;
                    headerWritten = true;
                    IEnumerable<string> extra = regression ? ["predicted"] : ["predicted", "probability", .. labels.Select(l => "p_" + l)];
                    sb.AppendLine(string.Join(',', fields.Concat(extra).Select(CsvField)));
                    continue;
                }
                if (next >= rows.Count) break;
                var p = rows[next++].Prediction!;
                var values = regression
                    ? [p.Value.ToString("R", CultureInfo.InvariantCulture)]
                    : new[] { CsvField(p.Label), p.Probability.ToString("R", CultureInfo.InvariantCulture) }
                        .Concat(p.Probabilities.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
                sb.AppendLine(string.Join(',', fields.Select(CsvField).Concat(values)));
            }
        }
        Console.Write(sb.ToString());
    }

    private static void PredictIdx(Predictor predictor, IEnumerable<string> given, int bs, int? limit, int k, List<Row> rows)
    {
        foreach (var input in given)
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
                        rows.AddRange(predictions.Select((p, i) => new Row($"{name}#{start + i}", p, p.Top(k), null)));
                    }
                }
            }
        }
    }

    private static void PredictImages(Predictor predictor, IReadOnlyList<string> files, int k, List<Row> rows)
    {
        if (files.Count == 0) throw new CliException($"No image files among the inputs (looked for {string.Join(", ", ImageDecoder.Extensions.Order())}).");
        foreach (var f in predictor.PredictFiles(files, FileProgress(files.Count)))
            rows.Add(new Row(f.Path, f.Prediction, f.Prediction?.Top(k) ?? [], f.Error));
        if (!Console.IsErrorRedirected && files.Count >= ProgressFrom) Console.Error.Write("\r\x1b[2K");
    }

    /// <summary>Folders of at least this many images show a progress line (on a terminal only).</summary>
    private const int ProgressFrom = 200;

    /// <summary>A line redrawn in place on stderr: files done, rate and time left; null when not a terminal or few files.</summary>
    private static FileProgressLine? FileProgress(int total) =>
        Console.IsErrorRedirected || total < ProgressFrom ? null : new FileProgressLine(total);

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool and could draw after the end).</summary>
    private sealed class FileProgressLine(int total) : IProgress<int>
    {
        private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

        public void Report(int value)
        {
            double rate = value / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            var left = TimeSpan.FromSeconds(rate > 0 ? (total - value) / rate : 0);
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\rpredicting {value}/{total} images, {rate:0} images/s, {left:mm\\:ss} left "));
        }
    }

    /// <summary>The image files the inputs name: files as given, folders searched recursively, in ordinal order.</summary>
    private static List<string> ImageFiles(IEnumerable<string> given, int? limit)
    {
        var files = new List<string>();
        foreach (var input in given)
        {
            if (string.IsNullOrWhiteSpace(input)) throw new CliException("An input is empty; give image files or folders of images.");
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                    .Where(ImageDecoder.IsImageFile).Order(StringComparer.Ordinal));
            else if (File.Exists(input))
                files.Add(RegularFile.WhatElse(input) is { } kind ? throw new CliException($"Input '{input}' is {kind}, not an image file.") : input);
            else throw new CliException($"Input '{input}' does not exist.");
        }
        return limit is { } l ? [.. files.Take(l)] : files;
    }

    private static Option<string> FormatOption()
    {
        var option = new Option<string>("--format") { Description = "table (for people), csv or json (for programs)", DefaultValueFactory = _ => FormatNames[0] };
        option.AcceptOnlyFromAmong(FormatNames);
        return option;
    }

    private sealed record Row(string Item, Prediction? Prediction, IReadOnlyList<(int Index, float Probability)> Top, string? Error);

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

    private static string Table(List<Row> rows, IReadOnlyList<string> labels, bool regression)
    {
        var sb = new StringBuilder();
        int width = Math.Max(4, rows.Count == 0 ? 4 : rows.Max(r => r.Item.Length));
        sb.AppendLine(regression
            ? $"{"item".PadRight(width)}  {"predicted",12}"
            : $"{"item".PadRight(width)}  {"predicted",-12} {"probability",11}  top");
        foreach (var r in rows)
        {
            if (r.Prediction is not { } p)
                sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Item.PadRight(width)}  error: {r.Error}");
            else if (regression)
                sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Item.PadRight(width)}  {p.Value,12:G6}");
            else
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"{r.Item.PadRight(width)}  {p.Label,-12} {p.Probability,11:F4}  {string.Join(", ", r.Top.Select(t => string.Create(CultureInfo.InvariantCulture, $"{labels[t.Index]} {t.Probability:F3}")))}");
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"{rows.Count} item{(rows.Count == 1 ? "" : "s")}");
        return sb.ToString();
    }

    private static string Csv(List<Row> rows, IReadOnlyList<string> labels, int k, bool regression)
    {
        var sb = new StringBuilder(regression ? "item,predicted" : "item,predicted,probability");
        if (!regression)
            for (int i = 1; i <= k; i++) sb.Append(CultureInfo.InvariantCulture, $",top{i},top{i}_probability");
        sb.AppendLine(",error");
        foreach (var r in rows)
        {
            sb.Append(CsvField(r.Item));
            if (r.Prediction is not { } p)
            {
                sb.Append(',', regression ? 1 : 2 + 2 * k).Append(',').Append(CsvField(r.Error ?? "")).AppendLine();
                continue;
            }
            if (regression)
            {
                sb.Append(',').Append(p.Value.ToString("R", CultureInfo.InvariantCulture)).AppendLine(",");
                continue;
            }
            sb.Append(',').Append(CsvField(p.Label)).Append(',').Append(p.Probability.ToString("R", CultureInfo.InvariantCulture));
            foreach (var t in r.Top)
                sb.Append(',').Append(CsvField(labels[t.Index])).Append(',').Append(t.Probability.ToString("R", CultureInfo.InvariantCulture));
            sb.Append(new string(',', k - r.Top.Count + 1)).AppendLine();
        }
        return sb.ToString();
    }

    private static string CsvField(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Json(List<Row> rows, IReadOnlyList<string> labels, bool regression) =>
        JsonSerializer.Serialize(rows.Select(r => r.Prediction is not { } p
            ? (object)new { item = r.Item, error = r.Error }
            : regression
                ? new { item = r.Item, predicted = p.Value }
                : new
                {
                    item = r.Item,
                    predicted = p.Label,
                    index = p.Index,
                    probability = p.Probability,
                    probabilities = labels.Select((l, i) => new { label = l, probability = p.Probabilities[i] }),
                }), JsonOptions) + Environment.NewLine;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}
