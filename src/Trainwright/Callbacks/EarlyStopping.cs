using Trainwright.Learning;

namespace Trainwright.Callbacks;

/// <summary>Stops the fit when a monitored value has not improved for <c>patience</c> epochs in a row.</summary>
public sealed class EarlyStopping : Callback
{
    private readonly ImprovementTracker monitor;
    private int wait;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">An AvgStats value name, e.g. valid_loss or valid_accuracy.</param>
    /// <param name="mode">Whether lower or higher is better (Auto: lower for losses).</param>
    /// <param name="patience">Epochs without improvement to tolerate (at least 1).</param>
    /// <param name="minDelta">How much better a value must be to count as an improvement.</param>
    public EarlyStopping(string monitor = "valid_loss", MonitorMode mode = MonitorMode.Auto, int patience = 3, double minDelta = 0)
    {
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience must be at least one epoch.");
        this.monitor = new ImprovementTracker(monitor, mode, minDelta);
        Patience = patience;
    }

    /// <inheritdoc />
    public override int Order => CallbackOrder.EarlyStopping;

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The epoch (from 0) after which training stopped, or null when it ran to the end.</summary>
    public int? StoppedEpoch { get; private set; }

    /// <summary>The best monitored value seen.</summary>
    public double? Best => monitor.Best;

    /// <inheritdoc />
    public override void BeforeFit()
    {
        monitor.Reset();
        wait = 0;
        StoppedEpoch = null;
    }

    /// <inheritdoc />
    public override void AfterEpoch()
    {
        if (monitor.Improved(monitor.Read(Learner, Name))) { wait = 0; return; }
        if (++wait < Patience) return;
        StoppedEpoch = Learner.Epoch;
        throw new CancelFitException($"{monitor.Name} has not improved on {monitor.Best:G5} for {Patience} epochs");
    }
}
