using Trainwright.Learning;
using Trainwright.Plotting;

namespace Trainwright.Callbacks;

/// <summary>
/// Records, for every training batch, the loss and every hyperparameter of every parameter group, and plots them.
/// Values are copied out as numbers, so nothing it keeps holds native memory.
/// </summary>
public sealed class Recorder : Callback
{
    private readonly List<double> losses = [];
    private readonly List<double> validLosses = [];
    private readonly List<double> validAt = [];
    private readonly Dictionary<string, List<double>[]> hypers = new(StringComparer.Ordinal);
    private double validSum;
    private int validCount;

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit;

    /// <inheritdoc />
    public override bool ReportsTraining => true;

    /// <inheritdoc />
    public override bool OnePerLearner => true;

    /// <inheritdoc />
    public override int Order => CallbackOrder.Recorder;

    /// <summary>Training loss of every batch, in order.</summary>
    public IReadOnlyList<double> Losses => losses;

    /// <summary>Validation loss of every epoch (averaged over items).</summary>
    public IReadOnlyList<double> ValidLosses => validLosses;

    /// <summary>For each entry of <see cref="ValidLosses"/>, the number of training batches recorded when it was measured.</summary>
    public IReadOnlyList<double> ValidBatches => validAt;

    /// <summary>The names of the recorded hyperparameters.</summary>
    public IReadOnlyCollection<string> HyperNames => hypers.Keys;

    /// <summary>Values of hyperparameter <paramref name="name"/> for group <paramref name="group"/>, one per training batch.</summary>
    public IReadOnlyList<double> Hyper(string name, int group = 0)
    {
        if (!hypers.TryGetValue(name, out var perGroup))
            throw new KeyNotFoundException($"No hyperparameter '{name}' was recorded. Recorded: {string.Join(", ", hypers.Keys)}.");
        if (group < 0 || group >= perGroup.Length)
            throw new ArgumentOutOfRangeException(nameof(group), group, $"There are {perGroup.Length} parameter groups.");
        return perGroup[group];
    }

    /// <summary>Learning rate of group <paramref name="group"/>, one per training batch.</summary>
    public IReadOnlyList<double> Lrs(int group = 0) => Hyper(Optim.Hyper.Lr, group);

    /// <inheritdoc />
    public override void BeforeFit()
    {
        losses.Clear();
        validLosses.Clear();
        validAt.Clear();
        hypers.Clear();
        var groups = Learner.Opt.Groups;
        foreach (var name in groups[0].Hypers.Keys)
            hypers[name] = [.. Enumerable.Range(0, groups.Count).Select(_ => new List<double>())];
    }

    /// <inheritdoc />
    public override void BeforeValidate()
    {
        validSum = 0;
        validCount = 0;
    }

    /// <inheritdoc />
    public override void AfterBatch()
    {
        var l = Learner;
        if (l.Loss is null) return;
        if (!l.Training)
        {
            validSum += l.Loss.item<float>() * l.BatchSize;
            validCount += l.BatchSize;
            return;
        }
        losses.Add(l.Loss.item<float>());
        var groups = l.Opt.Groups;
        foreach (var (name, perGroup) in hypers)
            for (int g = 0; g < groups.Count; g++)
                perGroup[g].Add(groups[g].Hypers.TryGetValue(name, out var v) ? v : double.NaN);
    }

    /// <inheritdoc />
    public override void AfterValidate()
    {
        if (validCount == 0) return;
        validLosses.Add(validSum / validCount);
        validAt.Add(losses.Count);
    }

    /// <summary>Plots the learning rate of group <paramref name="group"/> against the batch number to a PNG.</summary>
    public void PlotLr(string path, int group = 0) => PlotHyper(Optim.Hyper.Lr, path, group);

    /// <summary>Plots any recorded hyperparameter against the batch number to a PNG.</summary>
    public void PlotHyper(string name, string path, int group = 0)
    {
        var ys = Hyper(name, group);
        Charts.Line(path, $"{name} (group {group})", "batch", name, [new Series(name, Iterations(ys.Count), ys)]);
    }

    /// <summary>
    /// Plots the loss as fastai's <c>plot_loss</c> does (<see cref="LossChart"/>): every training batch faintly, the
    /// smoothed training loss, and the validation loss at each epoch's end on the same batch axis, leaving out the
    /// last <paramref name="skipLast"/> training batches (and validations after them).
    /// </summary>
    public void PlotLoss(string path, int skipLast = 0)
    {
        int n = Math.Max(0, losses.Count - skipLast);
        var kept = Enumerable.Range(0, validLosses.Count).Where(i => validAt[i] <= n).ToList();
        LossChart.Write(path, losses.Take(n).ToArray(), [.. kept.Select(i => validAt[i])], [.. kept.Select(i => validLosses[i])]);
    }

    private static double[] Iterations(int n) => [.. Enumerable.Range(0, n).Select(i => (double)i)];
}
