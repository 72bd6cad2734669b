using Trainwright.Metrics;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using Trainwright.Callbacks;
using Trainwright.Data.Tables;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Schedules;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// Tables (issue 12 §5), on a generated CSV of <c>--rows</c> rows (default 1,000,000) × 20 mixed columns
/// (12 real, 4 small-integer, 4 text, about 2% missing): <see cref="Table.Read"/> against Sep's bare read of the same
/// file (every field's span touched, reals parsed by <c>double.TryParse</c>), and against the same read with the reals
/// parsed by Sep's own faster parser; preprocessing (roles, split, fit, transform) against the same bare
/// read, with its stages (fit, transform into tensors) each as a share of that read; rows/s of one training epoch of
/// the default tabular model; and the Learner with the standard callbacks against a user's raw TorchSharp loop for that
/// model. <c>--prep-only</c> stops after the preprocessing. Smoke-run with e.g. <c>-- tabular --rows 2000</c>.
/// </summary>
public static class TabularBench
{
    private const int Reals = 12, Ints = 4, Texts = 4;

    /// <summary>Runs the comparisons and figures.</summary>
    public static IEnumerable<string> Run(string[] args)
    {
        int at = Array.IndexOf(args, "--rows");
        int rows = at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out int r) && r >= 100 ? r : 1_000_000;
        int reps = rows >= 100_000 ? 5 : 3;
        var path = Path.Combine(Path.GetTempPath(), $"trainwright-bench-{Guid.NewGuid():N}.csv");
        try
        {
            Generate(path, rows);
            var lines = new List<string> { $"File: {rows:N0} rows × {Reals + Ints + Texts + 1} columns, {new FileInfo(path).Length / 1e6:F1} MB", "" };
            var (load, bare) = Interleaved.Time(() => Table.Read(path), () => BareRead(path), reps);
            var (load2, sepParse) = Interleaved.Time(() => Table.Read(path), () => BareReadSepParse(path), reps);
            var table = Table.Read(path);
            var options = new TabularOptions { Target = "y" };
            var (prep, bare2) = Interleaved.Time(() => TabularData.FromTable(table, options).Dispose(), () => BareRead(path), reps);
            var comparisons = new[]
            {
                new Comparison("CSV load", "Table.Read (columnar, kinds inferred)", "Sep bare read (spans, reals parsed)", load, bare, "≤ 2×",
                    Stats.Median(load) / Stats.Median(bare) <= 2),
                new Comparison("CSV load, stricter baseline", "Table.Read (columnar, kinds inferred)", "Sep bare read, reals by Sep's own parser (csFastFloat)", load2, sepParse, "≤ 2×",
                    Stats.Median(load2) / Stats.Median(sepParse) <= 2),
                new Comparison("Preprocessing", "TabularData.FromTable (roles, split, fit, transform)", "Sep bare read", prep, bare2, "≤ 1×",
                    Stats.Median(prep) / Stats.Median(bare2) <= 1),
            };
            lines.AddRange(Report.Table(comparisons));
            lines.Add("");
            using var data = TabularData.FromTable(table, options);
            lines.AddRange(Report.Table(Stages(table, data, path, reps)));
            if (args.Contains("--prep-only")) return lines;
            lines.Add("");
            lines.AddRange(Report.Table([Throughput(data)]));
            lines.Add("");
            lines.AddRange(Report.Table([LoopOverhead(data, reps)]));
            return lines;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Where preprocessing's time goes: the fit (vocabularies, medians, means, deviations) and the transform of both
    /// splits into tensors, each timed against the bare read; roles and split are the rest of FromTable's time.
    /// </summary>
    private static IEnumerable<Figure> Stages(Table table, TabularData data, string path, int reps)
    {
        var p = data.Preprocessor;
        string[] categorical = [.. data.Columns.Where(c => c.Role == ColumnRole.Categorical).Select(c => c.Name)];
        string[] continuous = [.. data.Columns.Where(c => c.Role == ColumnRole.Continuous).Select(c => c.Name)];
        int[] train = [.. data.TrainRows], valid = [.. data.ValidRows];
        void Fit() => TabularPreprocessor.Fit(table, p.Target, p.Task, p.DateColumns, categorical, continuous, train, p.Classes);
        void Transform()
        {
            foreach (var rows in new[] { train, valid })
            {
                var (x, y, _) = p.TransformToTensors(table, rows);
                x.Dispose();
                y.Dispose();
            }
        }
        static Figure Share(string name, double[] stage, double[] bare) => new(name,
            string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(stage) / Stats.Median(bare):F3}× the bare read"),
            string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(stage):F1} ms vs {Stats.Median(bare):F1} ms"), "", null);
        var (fit, bare) = Interleaved.Time(Fit, () => BareRead(path), reps);
        yield return Share("Preprocessing stage: fit (levels, medians, mean/std)", fit, bare);
        var (transform, bare2) = Interleaved.Time(Transform, () => BareRead(path), reps);
        yield return Share("Preprocessing stage: transform of both splits into tensors", transform, bare2);
    }

    /// <summary>Writes the generated table: y = "1" when a linear function of the columns plus noise is positive.</summary>
    public static void Generate(string path, int rows)
    {
        var rng = new Random(12);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var header = Enumerable.Range(0, Reals).Select(i => $"r{i}").Concat(Enumerable.Range(0, Ints).Select(i => $"i{i}"))
            .Concat(Enumerable.Range(0, Texts).Select(i => $"t{i}")).Append("y");
        writer.Write(string.Join(',', header));
        writer.Write('\n');
        string[] words = [.. Enumerable.Range(0, 50).Select(i => $"level{i}")];
        var line = new StringBuilder();
        for (int n = 0; n < rows; n++)
        {
            line.Clear();
            double score = 0;
            for (int i = 0; i < Reals; i++)
            {
                double v = rng.NextDouble() * 4 - 2;
                score += (i % 3 - 1) * v;
                if (rng.NextDouble() < 0.02) line.Append("NA,"); else line.Append(v.ToString("F5", CultureInfo.InvariantCulture)).Append(',');
            }
            for (int i = 0; i < Ints; i++) line.Append(rng.Next(10)).Append(',');
            for (int i = 0; i < Texts; i++)
            {
                int w = rng.Next(words.Length);
                score += i == 0 ? (w % 5 - 2) * 0.3 : 0;
                line.Append(words[w]).Append(',');
            }
            line.Append(score + rng.NextDouble() - 0.5 > 0 ? '1' : '0').Append('\n');
            writer.Write(line);
        }
    }

    /// <summary>Sep's own read of the file: every field's span touched, the real columns parsed.</summary>
    internal static void BareRead(string path)
    {
        using var reader = Sep.Reader(o => o with { Sep = new Sep(','), Unescape = true }).FromFile(path);
        double sum = 0;
        long length = 0;
        foreach (var row in reader)
        {
            for (int i = 0; i < row.ColCount; i++)
            {
                var span = row[i].Span;
                if (i < Reals && double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) sum += v;
                else length += span.Length;
            }
        }
        GC.KeepAlive(sum + length);
    }

    /// <summary>
    /// <see cref="BareRead"/> with the reals read by Sep's <c>TryParse&lt;double&gt;</c> (csFastFloat, falling back to
    /// .NET's parser), a faster read than <c>double.TryParse</c>: the baseline a user who knows Sep well would write.
    /// </summary>
    internal static void BareReadSepParse(string path)
    {
        using var reader = Sep.Reader(o => o with { Sep = new Sep(','), Unescape = true }).FromFile(path);
        double sum = 0;
        long length = 0;
        foreach (var row in reader)
        {
            for (int i = 0; i < row.ColCount; i++)
            {
                var col = row[i];
                if (i < Reals && col.TryParse<double>(out double v)) sum += v;
                else length += col.Span.Length;
            }
        }
        GC.KeepAlive(sum + length);
    }

    private static Figure Throughput(TabularData data)
    {
        manual_seed(1);
        var model = new TabularModel(data.ModelSettings());
        var learner = new Learner(model, data.ToDataBunch(1024, seed: 1), data.Loss, Adam.Factory(), 1e-3, [new AvgStats(data.Metrics())]);
        var watch = Stopwatch.StartNew();
        learner.Fit(1);
        double seconds = watch.Elapsed.TotalSeconds;
        return new Figure("Training, default model (200, 100), bs 1024, 1 epoch incl. validation",
            $"{data.TrainRows.Count / seconds:N0} train rows/s", $"{seconds:F1} s", "", null);
    }

    /// <summary>
    /// The Learner with the standard callbacks (TrainEval, AvgStats with accuracy, Recorder, ParamScheduler with a
    /// one-cycle lr, Progress in plain mode) against <see cref="RawTorchSharpLoop"/> (randperm + index_select,
    /// F.cross_entropy, optim.SGD, item() per batch), the same model from the same initial weights, as the MLP's row.
    /// </summary>
    private static Comparison LoopOverhead(TabularData data, int reps)
    {
        manual_seed(1);
        var model = new TabularModel(data.ModelSettings());
        var bunch = data.ToDataBunch(1024, seed: 1);
        using var initial = new MemoryStream();
        using (var w = new BinaryWriter(initial, Encoding.UTF8, leaveOpen: true)) model.save(w);
        void Reset()
        {
            initial.Position = 0;
            using var r = new BinaryReader(initial, Encoding.UTF8, leaveOpen: true);
            model.load(r);
        }
        const double maxLr = 1e-2;
        Schedule lr = Sched.OneCycleLr(maxLr);
        void WithLearner()
        {
            Reset();
            var learner = new Learner(model, bunch, data.Loss, Sgd.Factory(mom: 0.9), maxLr,
                [new AvgStats(ClassificationMetrics.Accuracy), new Recorder(), new ProgressDisplay(TextWriter.Null)]);
            learner.Fit(1, [new ParamScheduler(Hyper.Lr, lr)]);
        }
        var losses = new List<float>(bunch.Train.BatchCount);
        void ByHand()
        {
            Reset();
            losses.Clear();
            RawTorchSharpLoop.Epoch(model, data.TrainX, data.TrainY, data.ValidX, data.ValidY, 1024, x => lr(x), x => x, losses);
        }
        var (ours, raw) = Interleaved.Time(WithLearner, ByHand, reps);
        return new Comparison("Tabular model, bs 1024, 1 epoch", "Learner.Fit + TrainEval, AvgStats, Recorder, ParamScheduler, Progress (plain)",
            "raw TorchSharp loop (randperm + index_select, F.cross_entropy, optim.SGD, item())", ours, raw, "≤ 1.03×", Stats.Median(ours) / Stats.Median(raw) <= 1.03);
    }
}
