namespace Trainwright.Learning;

/// <summary>What a call to <see cref="Learner.Fit"/> (or <c>FitOneCycle</c>) did.</summary>
public sealed record FitResult
{
    /// <summary>Epochs the fit was asked for.</summary>
    public required int Epochs { get; init; }

    /// <summary>Epochs this call ran, a cut-short last one included (a resumed fit does not count the epochs it skipped).</summary>
    public required int EpochsRun { get; init; }

    /// <summary>True when a <see cref="CancelFitException"/> ended the fit before its last epoch was done.</summary>
    public bool StoppedEarly => StopReason is not null;

    /// <summary>Why the fit stopped early (the <see cref="CancelException.Reason"/> or "cancelled"), or null when it ran to the end.</summary>
    public string? StopReason { get; init; }

    /// <summary>The 1-based epoch in which the fit stopped early, or null.</summary>
    public int? StoppedInEpoch { get; init; }

    /// <summary>The monitored value's name (from <c>EarlyStopping</c> or <c>SaveModel</c>), or null when nothing monitors one.</summary>
    public string? Monitor { get; init; }

    /// <summary>The best monitored value of this fit, or null.</summary>
    public double? Best { get; init; }

    /// <summary>The 1-based epoch of <see cref="Best"/>, or null.</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Loss and metrics of each epoch (from <c>AvgStats</c>; empty without one).</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    /// <summary>Warnings about the set-up (also raised through <see cref="Learner.Warning"/>).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>One epoch's averages.</summary>
/// <param name="Epoch">The epoch, 1-based as the progress display and checkpoints number it.</param>
/// <param name="TrainLoss">Mean training loss per item, or null when the training pass did not finish.</param>
/// <param name="ValidLoss">Mean validation loss per item, or null when validation did not run.</param>
/// <param name="Metrics">The validation metrics by name (empty when validation did not run).</param>
public sealed record EpochRecord(int Epoch, double? TrainLoss, double? ValidLoss, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// A callback that adds what it knows to the <see cref="FitResult"/> when a fit ends (the loop asks every attached
/// callback that implements it, in order, and never names one).
/// </summary>
public interface IFitResultContributor
{
    /// <summary>Returns <paramref name="result"/> with this callback's facts added (use <c>with</c>).</summary>
    FitResult Contribute(FitResult result);
}
