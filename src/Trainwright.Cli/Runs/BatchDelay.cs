using Trainwright.Learning;

namespace Trainwright.Cli.Runs;

/// <summary>
/// Sleeps after every training batch (hidden --batch-delay-ms). Only for the end-to-end tests: it makes a run last long
/// enough for a signal sent from outside to land reliably in the middle of an epoch.
/// </summary>
internal sealed class BatchDelay(int milliseconds) : Callback
{
    public override void AfterBatch()
    {
        if (Learner.Training) Thread.Sleep(milliseconds);
    }
}
