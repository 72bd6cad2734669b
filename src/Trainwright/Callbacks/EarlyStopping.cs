using Trainwright.Learning;

namespace Trainwright.Callbacks;

/// <summary>
/// Stops the fit when a monitored value has not improved for <c>patience</c> epochs in a row. With
/// <c>restoreBestWeights</c> (off by default, as in Keras), the model holds the best epoch's weights when the fit ends,
/// whether it stopped early or ran every epoch. The monitored name is checked when the fit starts.
/// </summary>
public sealed class EarlyStopping : Callback, IFitResultContributor
{
    private readonly ImprovementTracker monitor;
    private WeightSnapshot? bestWeights;
    private int wait;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">An AvgStats value name, e.g. valid_loss or valid_accuracy.</param>
    /// <param name="mode">Whether lower or higher is better (Auto: lower for losses).</param>
    /// <param name="patience">Epochs without improvement to tolerate (at least 1).</param>
    /// <param name="minDelta">How much better a value must be to count as an improvement.</param>
    /// <param name="restoreBestWeights">At the end of the fit, put back the weights of the best epoch (kept in memory).</param>
    public EarlyStopping(string monitor = "valid_loss", MonitorMode mode = MonitorMode.Auto, int patience = 3, double minDelta = 0,
        bool restoreBestWeights = false)
    {
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience must be at least one epoch.");
        this.monitor = new ImprovementTracker(monitor, mode, minDelta);
        Patience = patience;
        RestoreBestWeights = restoreBestWeights;
    }

    /// <inheritdoc />
    public override int Order => CallbackOrder.EarlyStopping;

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit;

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Whether the best epoch's weights are put back when the fit ends.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>The epoch after which training stopped, 1-based as the progress display and checkpoints number it; null when it ran to the end.</summary>
    public int? StoppedAfterEpoch { get; private set; }

    /// <summary>The best monitored value seen.</summary>
    public double? Best => monitor.Best;

    /// <summary>The 1-based epoch of <see cref="Best"/>.</summary>
    public int? BestEpoch => monitor.BestEpoch;

    /// <summary>True when the last fit ended with the best epoch's weights put back (<see cref="RestoreBestWeights"/>).</summary>
    public bool RestoredBestWeights { get; private set; }

    /// <inheritdoc />
    public override void BeforeFit()
    {
        monitor.Check(Learner, Name);
        monitor.Reset();
        wait = 0;
        StoppedAfterEpoch = null;
        bestWeights = null;
        RestoredBestWeights = false;
    }

    /// <inheritdoc />
    public override void AfterEpoch()
    {
        var l = Learner;
        if (monitor.Improved(monitor.Read(l, Name), l.Epoch + 1))
        {
            wait = 0;
            if (RestoreBestWeights) bestWeights = WeightSnapshot.Of(l.Model);
            return;
        }
        if (++wait < Patience) return;
        StoppedAfterEpoch = l.Epoch + 1;
        throw new CancelFitException($"{monitor.Name} has not improved on {monitor.Best:G5} (epoch {monitor.BestEpoch}) for {Patience} epochs");
    }

    /// <inheritdoc />
    public override void AfterFit()
    {
        if (bestWeights is null) return;
        bestWeights.RestoreInto(Learner.Model);
        bestWeights = null;
        RestoredBestWeights = true;
    }

    /// <inheritdoc />
    public FitResult Contribute(FitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Monitor is not null ? result : result with { Monitor = monitor.Name, Best = monitor.Best, BestEpoch = monitor.BestEpoch };
    }
}
