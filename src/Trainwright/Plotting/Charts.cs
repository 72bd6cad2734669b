using ScottPlot;
using Trainwright.IO;

namespace Trainwright.Plotting;

/// <summary>Thin helpers over ScottPlot that write PNG files atomically (a temp file, then a rename).</summary>
public static class Charts
{
    /// <summary>Draws one or more lines and writes them to <paramref name="path"/> as PNG.</summary>
    /// <param name="path">Destination; its folder is created when missing.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xLabel">Horizontal axis label.</param>
    /// <param name="yLabel">Vertical axis label.</param>
    /// <param name="series">The lines; each needs as many X as Y values.</param>
    /// <param name="logX">Plot the horizontal axis on a log₁₀ scale (all X must be positive).</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void Line(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series,
        bool logX = false, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(series);
        using var plot = new Plot();
        var list = series.ToList();
        foreach (var s in list)
        {
            CheckLengths(s, nameof(series));
            if (logX && s.X.Any(x => x <= 0))
                throw new ArgumentException($"Series '{s.Label}' has a non-positive X value, which a log scale cannot show.", nameof(series));
            double[] xs = logX ? s.X.Select(Math.Log10).ToArray() : s.X.ToArray();
            var scatter = plot.Add.ScatterLine(xs, s.Y.ToArray());
            scatter.LegendText = s.Label;
        }
        if (logX)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                LabelFormatter = v => Math.Pow(10, v).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (list.Count > 1) plot.ShowLegend();
        Save(plot, path, width, height);
    }

    /// <summary>Draws a matrix as a heat map (row 0 at the top) and writes it to <paramref name="path"/> as PNG.</summary>
    public static void Heatmap(string path, string title, string xLabel, string yLabel, double[,] values,
        int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var plot = new Plot();
        var map = plot.Add.Heatmap(values);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        Save(plot, path, width, height);
    }

    /// <summary>Throws when a series has a different number of X and Y values.</summary>
    internal static void CheckLengths(Series s, string paramName)
    {
        if (s.X.Count != s.Y.Count)
            throw new ArgumentException($"Series '{s.Label}' has {s.X.Count} X values but {s.Y.Count} Y values.", paramName);
    }

    /// <summary>Writes the plot as PNG through <see cref="AtomicFile"/>, creating the folder when missing.</summary>
    internal static void Save(Plot plot, string path, int width, int height)
    {
        AtomicFile.RequireReplaceable(path);
        AtomicFile.WriteBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));
    }
}
