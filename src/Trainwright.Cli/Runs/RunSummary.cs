using System.Text.Json;
using System.Text.Json.Nodes;
using Trainwright.Callbacks;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Settings;
using Trainwright.IO;
using Trainwright.Learning;

namespace Trainwright.Cli.Runs;

/// <summary>Writes <c>summary.json</c>: what was run, how it ended, the final metrics, timings and versions.</summary>
internal static class RunSummary
{
    // Relaxed escaping keeps "+" and non-ASCII readable; the file is never embedded in HTML.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Everything a train run reports.</summary>
    public sealed record Train(string Status, DateTimeOffset Started, TimeSpan Wall, TimeSpan Fit, RunSettings Settings, ModelSpec Spec,
        string Data, IReadOnlyList<string> ClassNames, AvgStats Stats, SaveModel SaveModel, string? NonFiniteLossAt, LoopPosition? StoppedAt, string? ResumeCommand,
        IReadOnlyList<string> Outputs);

    /// <summary>Writes the summary atomically (temp file, then rename), so a reader never sees half of it.</summary>
    public static void Write(string path, Train run)
    {
        var options = new JsonObject();
        foreach (var (key, value) in run.Settings.ToOptions()) options[key] = value;
        var json = new JsonObject
        {
            ["command"] = "train",
            ["status"] = run.Status,
            ["started"] = run.Started.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["wall_seconds"] = Math.Round(run.Wall.TotalSeconds, 3),
            ["fit_seconds"] = Math.Round(run.Fit.TotalSeconds, 3),
            ["options"] = options,
            ["model"] = run.Spec.Describe(),
            ["data"] = run.Data,
            ["classes"] = new JsonArray([.. run.ClassNames.Select(n => (JsonNode?)JsonValue.Create(n))]),
            ["final"] = Final(run.Stats),
            ["best_valid_loss"] = run.SaveModel.Best is { } best && double.IsFinite(best) ? best : null,
            ["non_finite_loss_at"] = run.NonFiniteLossAt,
            ["stopped_at"] = run.StoppedAt is { } p
                ? new JsonObject { ["epoch"] = p.Epoch + 1, ["batches_done"] = p.BatchesDone, ["train_iter"] = p.TrainIter }
                : null,
            ["resume_command"] = run.ResumeCommand,
            ["outputs"] = new JsonArray([.. run.Outputs.Where(o => File.Exists(o) || Directory.Exists(o)).Select(o => (JsonNode?)JsonValue.Create(o))]),
            ["versions"] = Versions.Describe(),
        };
        AtomicFile.WriteText(path, json.ToJsonString(Indented) + "\n");
    }

    private static JsonObject Final(AvgStats stats)
    {
        var final = new JsonObject();
        if (stats.Train is { } t)
        {
            final["epoch"] = t.Epoch + 1;
            final["train_loss"] = Finite(t.Loss);
            foreach (var (name, value) in t.Metrics) final["train_" + name] = Finite(value);
        }
        if (stats.Valid is { } v)
        {
            final["valid_epoch"] = v.Epoch + 1;
            final["valid_loss"] = Finite(v.Loss);
            foreach (var (name, value) in v.Metrics) final["valid_" + name] = Finite(value);
        }
        return final;
    }

    // JSON has no NaN or infinity.
    private static JsonNode? Finite(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
