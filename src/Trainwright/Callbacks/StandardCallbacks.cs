using Spectre.Console;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Metrics;

namespace Trainwright.Callbacks;

/// <summary>
/// Factories for the usual set of callbacks: <see cref="AvgStats"/> with metrics, a <see cref="Recorder"/> and, if wanted,
/// a <see cref="ProgressDisplay"/>. Each returns factories (the lesson's <c>cb_funcs</c>), so every learner gets its own
/// instances: <c>learner.Add(StandardCallbacks.Classification())</c>.
/// </summary>
public static class StandardCallbacks
{
    /// <summary>For classifiers: AvgStats with <c>accuracy</c> (argmax of the predictions equals the target), Recorder, Progress.</summary>
    /// <param name="progress">Add a progress display.</param>
    /// <param name="console">Where progress is shown (default: the process's console).</param>
    public static IEnumerable<Func<Callback>> Classification(ShowProgress progress = ShowProgress.Yes, IAnsiConsole? console = null)
        => For(progress, console, ClassificationMetrics.Accuracy);

    /// <summary>AvgStats with <paramref name="metrics"/>, Recorder and a progress display.</summary>
    /// <param name="metrics">Metrics of (predictions, targets) to a scalar, averaged per item by AvgStats.</param>
    public static IEnumerable<Func<Callback>> For(params Metric[] metrics) => For(ShowProgress.Yes, null, metrics);

    /// <summary>AvgStats with <paramref name="metrics"/>, Recorder and (when <paramref name="progress"/> says so) Progress.</summary>
    /// <param name="progress">Add a progress display.</param>
    /// <param name="metrics">Metrics of (predictions, targets) to a scalar, averaged per item by AvgStats.</param>
    public static IEnumerable<Func<Callback>> For(ShowProgress progress, params Metric[] metrics) =>
        For(progress, null, metrics);

    /// <summary>AvgStats with <paramref name="metrics"/>, Recorder and (when <paramref name="progress"/>) Progress on <paramref name="console"/>.</summary>
    /// <param name="progress">Add a progress display.</param>
    /// <param name="console">Where progress is shown (default: the process's console).</param>
    /// <param name="metrics">Metrics of (predictions, targets) to a scalar, averaged per item by AvgStats.</param>
    public static IEnumerable<Func<Callback>> For(ShowProgress progress, IAnsiConsole? console, params Metric[] metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var copy = metrics.ToArray();
        // Fail now, not when the first learner is built.
        if (copy.Any(m => m is null || string.IsNullOrWhiteSpace(m.Name) || m.Compute is null))
            throw new ArgumentException("Every metric needs a name and a function.", nameof(metrics));
        _ = new AvgStats(copy);
        var factories = new List<Func<Callback>> { () => new AvgStats(copy), () => new Recorder() };
        if (progress == ShowProgress.Yes) factories.Add(() => new ProgressDisplay(console));
        return factories;
    }
}

/// <summary>Whether <see cref="StandardCallbacks"/> adds a progress display.</summary>
public enum ShowProgress
{
    /// <summary>Add a <see cref="ProgressDisplay"/>.</summary>
    Yes,
    /// <summary>No progress display (e.g. in tests or batch jobs that log elsewhere).</summary>
    No,
}
