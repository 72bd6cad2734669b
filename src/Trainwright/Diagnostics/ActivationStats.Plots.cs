using Trainwright.Plotting;
using Trainwright.Hooks;

namespace Trainwright.Diagnostics;

public sealed partial class ActivationStats
{
    /// <summary>
    /// Writes the three figures into <paramref name="folder"/>: <see cref="MeansStdsFile"/>, <see cref="NearZeroFile"/>
    /// and (when histograms were recorded) <see cref="HistogramsFile"/>.
    /// </summary>
    /// <param name="folder">Destination folder (created when missing).</param>
    /// <param name="firstBatches">Plot only the first this-many batches (the lesson zooms in on the first 10 to see the
    /// early collapse); null plots them all.</param>
    /// <returns>The paths written.</returns>
    /// <exception cref="InvalidOperationException">Nothing was recorded yet.</exception>
    public IReadOnlyList<string> WritePlots(string folder, int? firstBatches = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var written = new List<string> { Path.Combine(folder, MeansStdsFile), Path.Combine(folder, NearZeroFile) };
        PlotMeansAndStds(written[0], firstBatches);
        PlotNearZero(written[1], firstBatches);
        if (Options.Histogram is not null)
        {
            written.Add(Path.Combine(folder, HistogramsFile));
            PlotHistograms(written[2], firstBatches);
        }
        return written;
    }

    /// <summary>Two panels, one line per layer: the mean and the standard deviation of the layer's output per batch.</summary>
    /// <param name="path">Destination PNG.</param>
    /// <param name="firstBatches">Plot only the first this-many batches; null plots them all.</param>
    public void PlotMeansAndStds(string path, int? firstBatches = null)
    {
        CheckRecorded();
        PanelCharts.Lines(path,
        [
            new LinePanel("activation means", "training batch", "mean", PerLayer(l => l.Means, firstBatches)),
            new LinePanel("activation stds", "training batch", "std", PerLayer(l => l.Stds, firstBatches)),
        ]);
    }

    /// <summary>One line per layer: the fraction of the layer's outputs within <see cref="StatsOptions.NearZeroThreshold"/> of zero.</summary>
    /// <param name="path">Destination PNG.</param>
    /// <param name="firstBatches">Plot only the first this-many batches; null plots them all.</param>
    public void PlotNearZero(string path, int? firstBatches = null)
    {
        CheckRecorded();
        PanelCharts.Lines(path,
        [
            new LinePanel($"fraction of activations with |x| < {Options.NearZeroThreshold:G3}", "training batch", "fraction",
                PerLayer(l => l.NearZeroFractions, firstBatches)),
        ], columns: 1, panelWidth: 900, panelHeight: 450);
    }

    /// <summary>
    /// The lesson's "colorful dimension" plot: one panel per layer, one column per batch, one row per histogram bin
    /// (low values at the bottom), coloured by log(1 + count), so the mass and the tails are visible at once.
    /// </summary>
    /// <param name="path">Destination PNG.</param>
    /// <param name="firstBatches">Plot only the first this-many batches; null plots them all.</param>
    /// <exception cref="InvalidOperationException">No histograms were recorded (<see cref="StatsOptions.Histogram"/> is null).</exception>
    public void PlotHistograms(string path, int? firstBatches = null)
    {
        CheckRecorded();
        var range = Options.Histogram ?? throw new InvalidOperationException(
            "No histograms were recorded: StatsOptions.Histogram was null. Give a HistogramRange to record them.");
        var panels = new List<HeatmapPanel>();
        foreach (var layer in layers)
        {
            var records = Take(layer.Records, firstBatches);
            if (records.Count == 0) continue;
            var values = new double[range.Bins, records.Count];
            for (int b = 0; b < records.Count; b++)
                for (int bin = 0; bin < range.Bins; bin++)
                    values[bin, b] = Math.Log(1 + records[b].Histogram[bin]);
            panels.Add(new HeatmapPanel($"{layer.Name}: log(1 + count)", "training batch", "activation",
                values, 0, records.Count, range.Min, range.Max));
        }
        if (panels.Count == 0) throw new InvalidOperationException("No training batch was recorded yet; fit first.");
        PanelCharts.Heatmaps(path, panels);
    }

    private List<Series> PerLayer(Func<ActivationStatsLayer, IReadOnlyList<double>> pick, int? firstBatches) =>
        [.. layers.Select(l =>
        {
            var ys = Take(pick(l), firstBatches);
            return new Series(l.Name, [.. Enumerable.Range(0, ys.Count).Select(i => (double)i)], ys);
        })];

    private static IReadOnlyList<T> Take<T>(IReadOnlyList<T> values, int? first)
    {
        if (first is < 1) throw new ArgumentOutOfRangeException(nameof(first), first, "Plot at least one batch.");
        return first is { } n && n < values.Count ? [.. values.Take(n)] : values;
    }

    private void CheckRecorded()
    {
        if (layers.Count == 0 || layers.All(l => l.Records.Count == 0))
            throw new InvalidOperationException("ActivationStats has recorded nothing yet: attach it to a Learner and fit first.");
    }
}
