namespace Trainwright.Learning;

/// <summary>
/// The kinds of loop a callback takes part in (<see cref="Callback.RunsIn"/>). A callback that does not run in the
/// current kind of loop is skipped at every event, so its state stays exactly as it was.
/// </summary>
[Flags]
public enum CallbackPhases
{
    /// <summary>Never runs.</summary>
    None = 0,
    /// <summary>Ordinary training: <see cref="Learner.Fit"/>, <c>FitOneCycle</c>.</summary>
    Fit = 1,
    /// <summary>The learning rate finder's throw-away training (<c>LrFind</c>): loggers, checkpoints, early stopping and
    /// the displays stay out of it.</summary>
    LrFind = 2,
    /// <summary>
    /// <c>Predict</c>, <c>GetPreds</c> and <c>Validate</c>: only <see cref="Event.BeforeBatch"/> and
    /// <see cref="Event.AfterPred"/> fire, for callbacks that prepare batches (device placement, reshapes).
    /// </summary>
    Inference = 4,
}
