using System.Globalization;
using ScottPlot;

namespace Trainwright.Plotting;

/// <summary>A confusion matrix as a labelled heat map: rows are actual classes, columns predicted ones, row 0 at the top.</summary>
public static class ConfusionChart
{
    /// <summary>Above this many classes a heat map is unreadable; <see cref="Write"/> refuses and callers keep the numbers.</summary>
    public const int MaxClasses = 50;

    /// <summary>Draws <paramref name="values"/> (square, one row and column per label) to a PNG, atomically.</summary>
    /// <param name="path">Destination PNG.</param>
    /// <param name="values">Counts, or row fractions when normalised.</param>
    /// <param name="labels">Class names.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="normalized">Values are fractions (printed as such in the cells).</param>
    public static void Write(string path, double[,] values, IReadOnlyList<string> labels, string title, bool normalized)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(labels);
        int c = labels.Count;
        if (values.GetLength(0) != c || values.GetLength(1) != c)
            throw new ArgumentException($"A confusion matrix for {c} classes must be {c}×{c}, not {values.GetLength(0)}×{values.GetLength(1)}.", nameof(values));
        if (c > MaxClasses)
            throw new ArgumentException($"{c} classes are too many for a readable heat map (at most {MaxClasses}).", nameof(labels));
        double max = 0;
        foreach (var v in values) max = Math.Max(max, v);
        using var plot = new Plot();
        var colormap = new ScottPlot.Colormaps.Viridis();
        bool annotate = c <= 20;
        for (int r = 0; r < c; r++)
            for (int col = 0; col < c; col++)
            {
                double v = values[r, col], fraction = max > 0 ? v / max : 0;
                double top = c - r;
                var rect = plot.Add.Rectangle(col, col + 1, top - 1, top);
                rect.FillStyle.Color = colormap.GetColor(fraction);
                rect.LineStyle.Width = 0;
                if (annotate && v > 0)
                {
                    var text = plot.Add.Text(normalized ? v.ToString("0.00", CultureInfo.InvariantCulture) : v.ToString("0", CultureInfo.InvariantCulture), col + 0.5, top - 0.5);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = c <= 10 ? 14 : 9;
                    text.LabelFontColor = fraction > 0.5 ? Colors.Black : Colors.White;
                }
            }
        double[] centres = [.. Enumerable.Range(0, c).Select(i => i + 0.5)];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(centres, [.. labels]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. centres.Select(y => c - y)], [.. labels]);
        plot.Axes.SetLimits(0, c, 0, c);
        plot.Title(title);
        plot.XLabel("predicted");
        plot.YLabel("actual");
        int size = Math.Clamp(200 + 24 * c, 500, 1400);
        Charts.Save(plot, path, size, size);
    }
}
