using ScottPlot;
using Trainwright.IO;

namespace Trainwright.Plotting;

/// <summary>
/// Figures made of several panels in a grid (one PNG), for statistics that come per layer: the lesson's 2×2 subplots
/// of activation means and stds, or one "colorful dimension" histogram image per layer. Files are written atomically
/// (a temp file, then a rename).
/// </summary>
internal static class PanelCharts
{
    /// <summary>Draws each panel's lines in a grid of <paramref name="columns"/> columns and writes a PNG.</summary>
    /// <param name="path">Destination; its folder is created when missing.</param>
    /// <param name="panels">The panels, left to right then top to bottom (at least one).</param>
    /// <param name="columns">Panels per row (at least 1).</param>
    /// <param name="panelWidth">Width of one panel in pixels.</param>
    /// <param name="panelHeight">Height of one panel in pixels.</param>
    /// <exception cref="ArgumentException">No panels, or a series whose X and Y counts differ.</exception>
    public static void Lines(string path, IReadOnlyList<LinePanel> panels, int columns = 2, int panelWidth = 600, int panelHeight = 400)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("A figure needs at least one panel.", nameof(panels));
        Save(path, panels.Count, columns, panelWidth, panelHeight, (plot, i) =>
        {
            var panel = panels[i];
            foreach (var s in panel.Series)
            {
                if (s.X.Count != s.Y.Count)
                    throw new ArgumentException($"Series '{s.Label}' of panel '{panel.Title}' has {s.X.Count} X values but {s.Y.Count} Y values.", nameof(panels));
                if (s.X.Count == 0) continue; // nothing to draw (e.g. a hooked layer the model never called)
                var line = plot.Add.ScatterLine(s.X.ToArray(), s.Y.ToArray());
                line.LegendText = s.Label;
            }
            plot.Title(panel.Title);
            plot.XLabel(panel.XLabel);
            plot.YLabel(panel.YLabel);
            if (panel.Series.Count > 1) plot.ShowLegend();
        });
    }

    /// <summary>Draws each panel's matrix as a heat map (viridis) in a grid of <paramref name="columns"/> columns and writes a PNG.</summary>
    /// <param name="path">Destination; its folder is created when missing.</param>
    /// <param name="panels">The panels, left to right then top to bottom (at least one).</param>
    /// <param name="columns">Panels per row (at least 1).</param>
    /// <param name="panelWidth">Width of one panel in pixels.</param>
    /// <param name="panelHeight">Height of one panel in pixels.</param>
    /// <exception cref="ArgumentException">No panels, an empty matrix, or an empty coordinate range.</exception>
    public static void Heatmaps(string path, IReadOnlyList<HeatmapPanel> panels, int columns = 2, int panelWidth = 600, int panelHeight = 400)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("A figure needs at least one panel.", nameof(panels));
        Save(path, panels.Count, columns, panelWidth, panelHeight, (plot, i) =>
        {
            var panel = panels[i];
            int rows = panel.Values.GetLength(0), cols = panel.Values.GetLength(1);
            if (rows == 0 || cols == 0)
                throw new ArgumentException($"Panel '{panel.Title}' has an empty matrix ({rows}×{cols}).", nameof(panels));
            if (!(panel.XMax > panel.XMin) || !(panel.YMax > panel.YMin))
                throw new ArgumentException($"Panel '{panel.Title}' needs XMax > XMin and YMax > YMin.", nameof(panels));
            // ScottPlot draws row 0 at the top; reverse the rows so row 0 sits at YMin, like a chart's y axis.
            var flipped = new double[rows, cols];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    flipped[rows - 1 - r, c] = panel.Values[r, c];
            var map = plot.Add.Heatmap(flipped);
            map.Colormap = new ScottPlot.Colormaps.Viridis();
            map.Extent = new CoordinateRect(panel.XMin, panel.XMax, panel.YMin, panel.YMax);
            plot.Axes.SetLimits(panel.XMin, panel.XMax, panel.YMin, panel.YMax);
            plot.Title(panel.Title);
            plot.XLabel(panel.XLabel);
            plot.YLabel(panel.YLabel);
        });
    }

    private static void Save(string path, int count, int columns, int panelWidth, int panelHeight, Action<Plot, int> draw)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(panelWidth, 50);
        ArgumentOutOfRangeException.ThrowIfLessThan(panelHeight, 50);
        columns = Math.Min(columns, count);
        int rows = (count + columns - 1) / columns;
        var figure = new Multiplot();
        var plots = new List<Plot>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                // A new multiplot may already hold a plot of its own: use the ones it has before adding more.
                var plot = i < figure.Count() ? figure.GetPlot(i) : figure.AddPlot();
                plots.Add(plot);
                draw(plot, i);
            }
            figure.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);

            using var image = figure.Render(columns * panelWidth, rows * panelHeight);
            AtomicFile.WriteBytes(path, image.GetImageBytes(ImageFormat.Png));
        }
        finally
        {
            foreach (var p in plots) p.Dispose();
        }
    }
}
