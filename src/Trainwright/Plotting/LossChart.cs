using ScottPlot;

namespace Trainwright.Plotting;

/// <summary>
/// The training loss as fastai's <c>plot_loss</c> draws it: every batch's loss faintly, an exponentially smoothed
/// (debiased) loss over it, and the validation loss at each epoch's end, all on one batch axis.
/// </summary>
public static class LossChart
{
    /// <summary>Smoothing factor of the training-loss average (fastai's 0.98).</summary>
    public const double DefaultBeta = 0.98;

    /// <summary>The debiased exponential moving average: <c>avg = β·avg + (1−β)·x</c>, divided by <c>1 − βⁱ</c>.</summary>
    public static double[] Smooth(IReadOnlyList<double> values, double beta = DefaultBeta)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(beta is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be in [0, 1).");
        var result = new double[values.Count];
        double avg = 0, power = 1;
        for (int i = 0; i < values.Count; i++)
        {
            avg = beta * avg + (1 - beta) * values[i];
            power *= beta;
            result[i] = avg / (1 - power);
        }
        return result;
    }

    /// <summary>Writes the chart to a PNG, atomically.</summary>
    /// <param name="path">Destination PNG.</param>
    /// <param name="trainLosses">Training loss of every batch.</param>
    /// <param name="validBatches">For each epoch, the number of training batches done when it was validated.</param>
    /// <param name="validLosses">Validation loss of each epoch.</param>
    /// <param name="beta">Smoothing factor.</param>
    public static void Write(string path, IReadOnlyList<double> trainLosses, IReadOnlyList<double> validBatches, IReadOnlyList<double> validLosses,
        double beta = DefaultBeta)
    {
        ArgumentNullException.ThrowIfNull(trainLosses);
        ArgumentNullException.ThrowIfNull(validBatches);
        ArgumentNullException.ThrowIfNull(validLosses);
        if (validBatches.Count != validLosses.Count)
            throw new ArgumentException($"{validBatches.Count} validation positions but {validLosses.Count} validation losses.", nameof(validLosses));
        using var plot = new Plot();
        double[] xs = [.. Enumerable.Range(0, trainLosses.Count).Select(i => (double)i)];
        if (trainLosses.Count > 0)
        {
            var raw = plot.Add.ScatterLine(xs, trainLosses.ToArray());
            raw.Color = Colors.C0.WithAlpha(0.25);
            raw.LegendText = "train (per batch)";
            var smooth = plot.Add.ScatterLine(xs, Smooth(trainLosses, beta));
            smooth.Color = Colors.C0;
            smooth.LineWidth = 2;
            smooth.LegendText = $"train (smoothed, β={beta})";
        }
        if (validLosses.Count > 0)
        {
            var valid = plot.Add.Scatter(validBatches.ToArray(), validLosses.ToArray());
            valid.Color = Colors.C1;
            valid.LineWidth = 2;
            valid.MarkerSize = 8;
            valid.LegendText = "valid (epoch end)";
        }
        plot.Title("loss");
        plot.XLabel("batch");
        plot.YLabel("loss");
        plot.ShowLegend(Alignment.UpperRight); // losses fall towards the lower right, where the last validation point is
        Charts.Save(plot, path, 800, 500);
    }
}
