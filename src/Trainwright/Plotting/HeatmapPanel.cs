namespace Trainwright.Plotting;

/// <summary>
/// One panel of a <see cref="PanelCharts.Heatmaps"/> figure: a matrix drawn as colours over a rectangle of the plane.
/// Row 0 of <see cref="Values"/> is drawn at the bottom (at <see cref="YMin"/>), column 0 at the left (at <see cref="XMin"/>),
/// so a histogram over time reads like a chart: low values at the bottom, time to the right.
/// </summary>
/// <param name="Title">Panel title.</param>
/// <param name="XLabel">Horizontal axis label.</param>
/// <param name="YLabel">Vertical axis label.</param>
/// <param name="Values">The matrix, [rows, columns]; NaN cells are drawn transparent.</param>
/// <param name="XMin">Horizontal coordinate of the left edge of column 0.</param>
/// <param name="XMax">Horizontal coordinate of the right edge of the last column.</param>
/// <param name="YMin">Vertical coordinate of the bottom edge of row 0.</param>
/// <param name="YMax">Vertical coordinate of the top edge of the last row.</param>
internal sealed record HeatmapPanel(string Title, string XLabel, string YLabel, double[,] Values,
    double XMin, double XMax, double YMin, double YMax);
