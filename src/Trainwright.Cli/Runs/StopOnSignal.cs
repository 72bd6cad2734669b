using Trainwright.Cli.Host;
using Trainwright.Learning;

namespace Trainwright.Cli.Runs;

/// <summary>
/// Ends the fit after the training batch that is running when a stop signal arrives. It runs last at AfterBatch, after
/// SaveModel has recorded that batch as done, so the checkpoint written at the epoch's end (which still fires) resumes at
/// the next batch. A signal during validation lets validation finish and stops after it, so the epoch's metrics (and
/// the best checkpoint) are never taken from a partial pass.
/// </summary>
internal sealed class StopOnSignal(StopSignals signals) : Callback
{
    /// <summary>After every callback that reads the batch (Progress is the last at 70).</summary>
    public override int Order => CallbackOrder.Progress + 5;

    /// <summary>Where the loop stood when it stopped (null when it did not).</summary>
    public LoopPosition? StoppedAt { get; private set; }

    public override void BeforeFit() => StoppedAt = null;

    public override void AfterBatch()
    {
        if (Learner.Training) StopIfAsked();
    }

    public override void AfterValidate() => StopIfAsked();

    private void StopIfAsked()
    {
        if (!signals.StopRequested) return;
        StoppedAt = LoopPosition.AfterBatch(Learner);
        throw new CancelFitException($"stopped by {signals.Name}");
    }
}
