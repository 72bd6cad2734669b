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
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// Tables (issue 12 §5), on a generated CSV of <c>--rows</c> rows (default 1,000,000) × 20 mixed columns
/// (12 real, 4 small-integer, 4 text, about 2% missing): <see cref="Table.Read"/> against Sep's bare read of the same
/// file (every field's span touched, reals parsed); preprocessing (roles, split, fit, transform) against the same bare
/// read; rows/s of one training epoch of the default tabular model; and the Learner against a hand-written loop for
/// that model. Smoke-run with e.g. <c>-- tabular --rows 2000</c>.
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
            var table = Table.Read(path);
            var options = new TabularOptions { Target = "y" };
            var (prep, bare2) = Interleaved.Time(() => TabularData.FromTable(table, options).Dispose(), () => BareRead(path), reps);
            var comparisons = new[]
            {
                new Comparison("CSV load", "Table.Read (columnar, kinds inferred)", "Sep bare read (spans, reals parsed)", load, bare, "≤ 2×",
                    Stats.Median(load) / Stats.Median(bare) <= 2),
                new Comparison("Preprocessing", "TabularData.FromTable (roles, split, fit, transform)", "Sep bare read", prep, bare2, "≤ 1×",
                    Stats.Median(prep) / Stats.Median(bare2) <= 1),
            };
            lines.AddRange(Report.Table(comparisons));
            lines.Add("");
            using var data = TabularData.FromTable(table, options);
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
    private static void BareRead(string path)
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

    /// <summary>The Learner (AvgStats with the task's metrics) against a hand-written loop with the same model, batches and optimizer.</summary>
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
        const double lr = 1e-3;
        void WithLearner()
        {
            Reset();
            new Learner(model, bunch, data.Loss, Sgd.Factory(mom: 0.9), lr, [new AvgStats(ClassificationMetrics.Accuracy)]).Fit(1);
        }
        void ByHand()
        {
            Reset();
            using var opt = new Sgd(model.parameters(), lr, mom: 0.9);
            model.train();
            bunch.Train.Epoch = 0;
            using var sums = zeros(2, dtype: ScalarType.Float64);
            foreach (var batch in bunch.Train)
            {
                using var scope = NewDisposeScope();
                using var _ = batch;
                var pred = model.call(batch.Xb);
                var loss = data.Loss(pred, batch.Yb);
                loss.backward();
                opt.Step();
                opt.ZeroGrad();
                using (no_grad()) sums.add_(stack([loss.detach(), ClassificationMetrics.AccuracyOf(pred, batch.Yb)]).to(ScalarType.Float64), alpha: batch.Size);
            }
            model.eval();
            using (no_grad())
            {
                bunch.Valid.Epoch = 0;
                foreach (var batch in bunch.Valid)
                {
                    using var scope = NewDisposeScope();
                    using var _ = batch;
                    var pred = model.call(batch.Xb);
                    sums.add_(stack([data.Loss(pred, batch.Yb), ClassificationMetrics.AccuracyOf(pred, batch.Yb)]).to(ScalarType.Float64), alpha: batch.Size);
                }
            }
            _ = sums.data<double>().ToArray();
        }
        var (ours, raw) = Interleaved.Time(WithLearner, ByHand, reps);
        return new Comparison("Tabular model, bs 1024, 1 epoch", "Learner.Fit + TrainEval, AvgStats(accuracy)", "hand-written TorchSharp loop, same work",
            ours, raw, "≤ 1.03×", Stats.Median(ours) / Stats.Median(raw) <= 1.03);
    }
}
