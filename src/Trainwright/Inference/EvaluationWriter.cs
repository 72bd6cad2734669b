using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Trainwright.Plotting;
using Trainwright.IO;
using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>
/// Writes a <see cref="ClassificationReport"/> for people (<c>evaluation.md</c>, a confusion-matrix PNG) and machines
/// (<c>evaluation.json</c>, everything, the confusion matrix as a sparse list). Each file is written atomically. With
/// many classes the Markdown keeps to the worst classes and the heat map is skipped; the JSON always has it all.
/// </summary>
public static class EvaluationWriter
{
    /// <summary>Most per-class rows in the Markdown table; beyond this, the classes with the lowest F1 are listed.</summary>
    public const int MaxMarkdownClasses = 50;

    /// <summary>
    /// Writes <c>evaluation.md</c>, <c>evaluation.json</c> and, when there are at most <see cref="ConfusionChart.MaxClasses"/>
    /// classes, <c>confusion-matrix.png</c> into <paramref name="folder"/>. Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> WriteAll(ClassificationReport report, string folder, bool normalizeConfusion = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var written = new List<string>();
        var md = Path.Combine(folder, "evaluation.md");
        var json = Path.Combine(folder, "evaluation.json");
        var png = Path.Combine(folder, "confusion-matrix.png");
        bool drawn = report.Classes.Count <= ConfusionChart.MaxClasses;
        if (drawn)
        {
            WriteConfusionPng(report, png, normalizeConfusion);
            written.Add(png);
        }
        AtomicFile.WriteText(md, ToMarkdown(report, drawn ? Path.GetFileName(png) : null));
        written.Add(md);
        AtomicFile.WriteText(json, ToJson(report));
        written.Add(json);
        return written;
    }

    /// <summary>Draws the confusion matrix (row-normalised when <paramref name="normalize"/>) to a PNG.</summary>
    /// <exception cref="ArgumentException">More than <see cref="ConfusionChart.MaxClasses"/> classes.</exception>
    public static void WriteConfusionPng(ClassificationReport report, string path, bool normalize = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        ConfusionChart.Write(path, report.Confusion.ToDense(normalize), report.Classes,
            normalize ? "confusion matrix (each row sums to 1)" : "confusion matrix (counts)", normalize);
    }

    /// <summary>The file name <c>WriteTopLossesPng</c> is given by the command (beside <c>evaluation.md</c>).</summary>
    public const string TopLossesFileName = "top-losses.png";

    /// <summary>
    /// Draws the report's top losses as an image grid (fastai's <c>plot_top_losses</c>): each item's thumbnail captioned
    /// "actual -> predicted, loss, probability of the prediction", highest loss first.
    /// </summary>
    /// <param name="report">A report whose <see cref="TopLoss.Item"/> indexes <paramref name="images"/>.</param>
    /// <param name="images">The evaluated images in evaluation order, [N, C, H, W] uint8 (e.g. <c>data.Valid.X</c> of an
    /// image folder) or float on the [0, 1] scale.</param>
    /// <param name="path">The PNG to write (atomically).</param>
    /// <param name="columns">Images per row.</param>
    /// <param name="cellSize">Side of each thumbnail in pixels.</param>
    /// <exception cref="ArgumentException">No top losses, or an item beyond the images given.</exception>
    public static void WriteTopLossesPng(ClassificationReport report, Tensor images, string path, int columns = 4, int cellSize = 128)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(images);
        if (report.TopLosses.Count == 0) throw new ArgumentException("The report keeps no top losses; evaluate with topLosses > 0.", nameof(report));
        if (images.Dimensions != 4)
            throw new ArgumentException($"Expected the evaluated images as [N, C, H, W]; got [{string.Join(", ", images.shape)}].", nameof(images));
        var beyond = report.TopLosses.FirstOrDefault(t => t.Item >= images.shape[0]);
        if (beyond is not null)
            throw new ArgumentException($"Top loss item {beyond.Item} is beyond the {images.shape[0]} images given; pass the images that were evaluated, in order.", nameof(images));
        using var scope = NewDisposeScope();
        using var index = tensor(report.TopLosses.Select(t => (long)t.Item).ToArray());
        SaveTopLosses(report, images.index_select(0, index), path, columns, cellSize);
    }

    /// <summary>
    /// <see cref="WriteTopLossesPng(ClassificationReport, Tensor, string, int, int)"/> for data too large to hold whole:
    /// <paramref name="imageOf"/> gives the evaluated image [C, H, W] of an item, and only the top losses are fetched.
    /// </summary>
    public static void WriteTopLossesPng(ClassificationReport report, Func<int, Tensor> imageOf, string path, int columns = 4, int cellSize = 128)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(imageOf);
        if (report.TopLosses.Count == 0) throw new ArgumentException("The report keeps no top losses; evaluate with topLosses > 0.", nameof(report));
        using var scope = NewDisposeScope();
        SaveTopLosses(report, stack(report.TopLosses.Select(t => imageOf(t.Item)).ToArray()), path, columns, cellSize);
    }

    private static void SaveTopLosses(ClassificationReport report, Tensor picked, string path, int columns, int cellSize)
    {
        var captions = report.TopLosses.Select(t => string.Create(CultureInfo.InvariantCulture,
            $"{t.ActualName} -> {t.PredictedName}  {t.Loss:0.00}  p {t.Probability:0.00}")).ToList();
        Plotting.ImageGrid.Save(path, picked, captions, Math.Min(columns, captions.Count), cellSize);
    }

    /// <summary>The report as Markdown: summary, per-class table, averages, most confused pairs, top losses.</summary>
    public static string ToMarkdown(ClassificationReport report, string? confusionPng = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Evaluation").AppendLine();
        sb.AppendLine(ci, $"{report.Items} items, {report.Classes.Count} classes: accuracy **{report.Accuracy:0.0000}**, mean loss {report.MeanLoss:0.0000}.").AppendLine();
        sb.AppendLine("| average | precision | recall | F1 |").AppendLine("|---|---:|---:|---:|");
        sb.AppendLine(ci, $"| macro | {report.Macro.Precision:0.0000} | {report.Macro.Recall:0.0000} | {report.Macro.F1:0.0000} |");
        sb.AppendLine(ci, $"| weighted | {report.Weighted.Precision:0.0000} | {report.Weighted.Recall:0.0000} | {report.Weighted.F1:0.0000} |").AppendLine();

        var rows = report.PerClass.AsEnumerable();
        if (report.PerClass.Count > MaxMarkdownClasses)
        {
            sb.AppendLine(ci, $"## The {MaxMarkdownClasses} classes with the lowest F1 (all {report.PerClass.Count} are in evaluation.json)").AppendLine();
            rows = report.PerClass.Where(m => m.Support > 0).OrderBy(m => m.F1).ThenBy(m => m.Index).Take(MaxMarkdownClasses);
        }
        else
        {
            sb.AppendLine("## Per class").AppendLine();
        }
        sb.AppendLine("| class | precision | recall | F1 | support |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var m in rows)
            sb.AppendLine(ci, $"| {Cell(m.Name)} | {m.Precision:0.0000} | {m.Recall:0.0000} | {m.F1:0.0000} | {m.Support} |");
        sb.AppendLine();

        sb.AppendLine("## Most confused (actual → predicted)").AppendLine();
        if (report.MostConfused.Count == 0) sb.AppendLine("No mistakes.");
        else
        {
            sb.AppendLine("| actual | predicted | count |").AppendLine("|---|---|---:|");
            foreach (var p in report.MostConfused) sb.AppendLine(ci, $"| {Cell(p.ActualName)} | {Cell(p.PredictedName)} | {p.Count} |");
        }
        sb.AppendLine();

        sb.AppendLine("## Top losses").AppendLine();
        sb.AppendLine("| item | actual | predicted | loss | probability |").AppendLine("|---:|---|---|---:|---:|");
        foreach (var t in report.TopLosses)
            sb.AppendLine(ci, $"| {t.Item} | {Cell(t.ActualName)} | {Cell(t.PredictedName)} | {t.Loss:0.0000} | {t.Probability:0.0000} |");
        sb.AppendLine();
        if (confusionPng is not null) sb.AppendLine(ci, $"![confusion matrix]({confusionPng})");
        else sb.AppendLine(ci, $"The confusion matrix ({report.Classes.Count} classes, too many for a readable picture) is in evaluation.json as (actual, predicted, count) triples.");
        return sb.ToString();
    }

    /// <summary>The whole report as JSON; the confusion matrix as <c>[actual, predicted, count]</c> triples of the pairs that occur.</summary>
    public static string ToJson(ClassificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var json = new JsonObject
        {
            ["items"] = report.Items,
            ["accuracy"] = report.Accuracy,
            ["meanLoss"] = report.MeanLoss,
            ["classes"] = Node(report.Classes),
            ["macro"] = Node(report.Macro),
            ["weighted"] = Node(report.Weighted),
            ["perClass"] = Node(report.PerClass),
            ["mostConfused"] = Node(report.MostConfused),
            ["topLosses"] = Node(report.TopLosses),
            ["confusion"] = new JsonArray([.. report.Confusion.NonZero.Select(e => (JsonNode)new JsonArray(e.Actual, e.Predicted, e.Count))]),
        };
        return json.ToJsonString(ModelFile.Json);
    }

    private static JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, ModelFile.Json);

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
}
