using System.Globalization;
using System.Text;
using Trainwright.Plotting;

namespace Trainwright.Diagnostics;

/// <summary>Renders an <see cref="InitStudyResult"/> as Markdown tables and PNG charts.</summary>
public static class InitStudyReport
{
    /// <summary>File name of the per-layer std chart written by <see cref="WriteCharts"/>.</summary>
    public const string ConvNetChartFile = "init-study-convnet-std.png";

    /// <summary>File name of the repeated-multiply chart written by <see cref="WriteCharts"/>.</summary>
    public const string MatMulChartFile = "init-study-matmul-std.png";

    /// <summary>Markdown with one table per part, the lesson's reference figures beside ours.</summary>
    /// <param name="result">The study's result.</param>
    public static string ToMarkdown(InitStudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.AppendLine("## Init study (lesson 9: why √5?)").AppendLine();
        md.AppendLine(Invariant($"Batch shape [{string.Join(", ", result.BatchShape)}], seed {result.Seed}.") +
            " Reference figures are the lesson's (PyTorch 1.0, no seed, approximate); ours come from one seeded run.");
        md.AppendLine();

        md.AppendLine("### (a) One Conv2d(1, 32, 5)").AppendLine();
        md.AppendLine("| Setting | Mean | Std | Lesson std |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var s in result.SingleConv)
            md.AppendLine(Invariant($"| {s.Setting} | {F(s.Mean)} | {F(s.Std)} | {Ref(s.ReferenceStd)} |"));
        md.AppendLine();

        md.AppendLine("### (b) 4-layer convnet: output std and first-layer weight-gradient std after an MSE backward").AppendLine();
        md.AppendLine("| Init | Output std | Lesson | First-layer grad std | Lesson |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in result.ConvNet)
            md.AppendLine(Invariant(
                $"| {r.Init} | {F(r.OutputStd)} | {Ref(r.ReferenceOutputStd)} | {F(r.FirstLayerGradStd)} | {Ref(r.ReferenceGradStd)} |"));
        md.AppendLine();

        if (result.ConvNet.Count > 0)
        {
            md.AppendLine("Per-layer output std (forward, one batch):").AppendLine();
            md.Append("| Layer |");
            foreach (var r in result.ConvNet) md.Append(' ').Append(r.Init).Append(" |");
            md.AppendLine();
            md.Append("|---|");
            foreach (var _ in result.ConvNet) md.Append("---:|");
            md.AppendLine();
            var names = result.ConvNet[0].Layers.Select(l => l.Name).ToList();
            for (int i = 0; i < names.Count; i++)
            {
                md.Append("| ").Append(names[i]).Append(" |");
                foreach (var r in result.ConvNet)
                    md.Append(' ').Append(i < r.Layers.Count ? F(r.Layers[i].Std) : "—").Append(" |");
                md.AppendLine();
            }
            md.AppendLine();
        }

        md.AppendLine(Invariant($"### (c) x ← A·x, repeated (n = {(result.MatMul.Count > 0 ? result.MatMul[0].Size : InitStudy.MatMulSize)})"));
        md.AppendLine();
        md.AppendLine("| A | Iterations | First NaN/∞ at | Final mean | Final std |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var m in result.MatMul)
            md.AppendLine(Invariant(
                $"| {m.Setting} | {m.Iterations} | {(m.FirstNonFiniteIteration?.ToString(CultureInfo.InvariantCulture) ?? "never")} | {F(m.FinalMean)} | {F(m.FinalStd)} |"));
        md.AppendLine();
        md.AppendLine("The lesson: with A ~ N(0, 1) the statistics are NaN after 100 multiplies; with std 0.01 they vanish to 0; " +
            "scaling by 1/√n keeps them near 1.");
        return md.ToString();
    }

    /// <summary>Writes the per-layer std chart and the repeated-multiply chart into <paramref name="folder"/>.</summary>
    /// <param name="result">The study's result.</param>
    /// <param name="folder">Destination folder (created when missing).</param>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> WriteCharts(InitStudyResult result, string folder)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var written = new List<string>();
        if (result.ConvNet.Count > 0)
        {
            var path = Path.Combine(folder, ConvNetChartFile);
            var labels = result.ConvNet[0].Layers.Select(l => l.Name).ToList();
            LogYCharts.Lines(path, "4-layer convnet: output std per layer", "layer", "std (log scale)",
                result.ConvNet.Select(r => new Series(r.Init,
                    Enumerable.Range(0, r.Layers.Count).Select(i => (double)i).ToList(),
                    r.Layers.Select(l => l.Std).ToList())),
                labels, ScottPlot.Alignment.LowerLeft, width: 1100);
            written.Add(path);
        }
        if (result.MatMul.Count > 0)
        {
            var path = Path.Combine(folder, MatMulChartFile);
            LogYCharts.Lines(path, "x ← A·x: std of x per multiply (ends at the first NaN/∞ or at an underflow to 0)", "iteration", "std (log scale)",
                result.MatMul.Select(m => new Series(m.Setting,
                    Enumerable.Range(1, m.StdPerIteration.Count).Select(i => (double)i).ToList(),
                    m.StdPerIteration.ToList())));
            written.Add(path);
        }
        return written;
    }

    private static string F(double v) =>
        double.IsNaN(v) ? "NaN" : v == 0 ? "0" : Math.Abs(v) < 1e-3 || Math.Abs(v) >= 1e4
            ? v.ToString("0.00e+0", CultureInfo.InvariantCulture)
            : v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Ref(double? v) => v is { } x ? "≈ " + x.ToString("0.####", CultureInfo.InvariantCulture) : "—";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
