using System.Globalization;
using ScottPlot;

namespace Trainwright.Plotting;

/// <summary>Line charts on a log₁₀ vertical axis, for statistics that span orders of magnitude (activation stds).</summary>
internal static class LogYCharts
{
    /// <summary>
    /// Draws each series on a log₁₀ Y axis and writes a PNG to <paramref name="path"/> (atomically: temp file, then rename).
    /// Points whose Y is not positive and finite cannot sit on a log axis and are left out.
    /// </summary>
    /// <param name="path">Destination; its folder is created when missing.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xLabel">Horizontal axis label.</param>
    /// <param name="yLabel">Vertical axis label.</param>
    /// <param name="series">The lines; each needs as many X as Y values.</param>
    /// <param name="xTickLabels">Optional labels for X = 0, 1, 2, … (for categorical axes such as layer names).</param>
    /// <param name="legendCorner">Where the legend sits (shown only with more than one series).</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void Lines(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series,
        IReadOnlyList<string>? xTickLabels = null, Alignment legendCorner = Alignment.LowerRight, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(series);
        using var plot = new Plot();
        var list = series.ToList();
        foreach (var s in list)
        {
            Charts.CheckLengths(s, nameof(series));
            var kept = Enumerable.Range(0, s.X.Count).Where(i => s.Y[i] > 0 && double.IsFinite(s.Y[i])).ToArray();
            if (kept.Length == 0) continue;
            var line = plot.Add.Scatter(kept.Select(i => s.X[i]).ToArray(), kept.Select(i => Math.Log10(s.Y[i])).ToArray());
            line.LegendText = s.Label;
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture),
        };
        if (xTickLabels is { Count: > 0 })
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, xTickLabels.Count).Select(i => (double)i).ToArray(), xTickLabels.ToArray());
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (list.Count > 1) plot.ShowLegend(legendCorner);

        Charts.Save(plot, path, width, height);
    }
}
