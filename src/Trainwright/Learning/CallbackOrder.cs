namespace Trainwright.Learning;

/// <summary>
/// The <see cref="Callback.Order"/> of the callbacks that ship; lower runs first at every event, ties keep the order
/// they were added in. User callbacks default to <see cref="Default"/>.
/// </summary>
public static class CallbackOrder
{
    /// <summary>Device: moves the model before anyone builds the optimizer, and each batch before anyone reads it.</summary>
    public const int Device = -30;
    /// <summary>BatchTransform: reshapes or augments the batch once it is on its device.</summary>
    public const int BatchTransform = -25;
    /// <summary>Distributed data parallel: shards data and averages gradients before clipping or stepping.</summary>
    public const int Distributed = -22;
    /// <summary>TrainEval: switches train/eval mode and keeps the counters everyone else reads.</summary>
    public const int TrainEval = -10;
    /// <summary>ResumeFrom: restores a checkpoint after TrainEval started the epoch's counters, before anyone reads them.</summary>
    public const int Resume = -8;
    /// <summary>TerminateOnNaN: stops at the first bad loss before it can reach the weights.</summary>
    public const int TerminateOnNaN = -5;
    /// <summary>User callbacks.</summary>
    public const int Default = 0;
    /// <summary>ParamScheduler: sets hyperparameters for the coming step.</summary>
    public const int ParamScheduler = 10;
    /// <summary>LrFinder: sets its own learning rate after any scheduler, so its value is the one used.</summary>
    public const int LrFinder = 12;
    /// <summary>GradientAccumulation: decides whether this batch steps, before clipping looks at the gradients.</summary>
    public const int GradientAccumulation = 15;
    /// <summary>GradientClipping: clips the gradients that are about to be applied.</summary>
    public const int GradientClipping = 20;
    /// <summary>AvgStats: averages loss and metrics weighted by batch size.</summary>
    public const int AvgStats = 30;
    /// <summary>Recorder: records hyperparameters and losses once everything has set them.</summary>
    public const int Recorder = 40;
    /// <summary>SaveModel: writes checkpoints once the epoch's metrics are known.</summary>
    public const int SaveModel = 60;
    /// <summary>Loggers (CSV, TensorBoard): write what the metrics callbacks computed.</summary>
    public const int Logger = 65;
    /// <summary>Progress: shows what everything else computed.</summary>
    public const int Progress = 70;
    /// <summary>
    /// EarlyStopping: last, because the CancelFitException it throws at the end of an epoch skips every callback after
    /// it at that event; running last lets SaveModel, the loggers and Progress record the epoch it stops after.
    /// </summary>
    public const int EarlyStopping = 80;
}
