namespace Trainwright.Plotting;

/// <summary>One panel of a <see cref="PanelCharts.Lines"/> figure: a titled set of lines with its own axes.</summary>
/// <param name="Title">Panel title.</param>
/// <param name="XLabel">Horizontal axis label.</param>
/// <param name="YLabel">Vertical axis label.</param>
/// <param name="Series">The lines; each needs as many X as Y values.</param>
internal sealed record LinePanel(string Title, string XLabel, string YLabel, IReadOnlyList<Series> Series);
