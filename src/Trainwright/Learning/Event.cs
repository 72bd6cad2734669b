namespace Trainwright.Learning;

/// <summary>
/// The moments of the fit loop at which callbacks run, in the order a normal epoch reaches them.
/// Each <c>AfterCancel…</c> event fires when the matching <see cref="CancelException"/> was thrown; the plain
/// <c>After…</c> event still fires afterwards (finally semantics).
/// </summary>
public enum Event
{
    /// <summary>Once, before the first epoch.</summary>
    BeforeFit,
    /// <summary>At the start of each epoch.</summary>
    BeforeEpoch,
    /// <summary>Before the training batches of an epoch.</summary>
    BeforeTrain,
    /// <summary>Before each batch (training or validation); <c>Xb</c>/<c>Yb</c> may be replaced here.</summary>
    BeforeBatch,
    /// <summary>After the model's forward pass; <c>Pred</c> may be replaced here.</summary>
    AfterPred,
    /// <summary>After the loss is computed; <c>Loss</c> may be replaced here.</summary>
    AfterLoss,
    /// <summary>Before <c>Loss.backward()</c> (training only).</summary>
    BeforeBackward,
    /// <summary>After backward, before the optimizer step: gradient clipping goes here (training only).</summary>
    AfterBackward,
    /// <summary>After the optimizer step (training only).</summary>
    AfterStep,
    /// <summary>A <see cref="CancelBatchException"/> ended the batch.</summary>
    AfterCancelBatch,
    /// <summary>At the end of each batch, cancelled or not.</summary>
    AfterBatch,
    /// <summary>A <see cref="CancelTrainException"/> ended the training part of the epoch.</summary>
    AfterCancelTrain,
    /// <summary>After the training batches of an epoch.</summary>
    AfterTrain,
    /// <summary>Before the validation batches of an epoch (gradients are off).</summary>
    BeforeValidate,
    /// <summary>A <see cref="CancelValidateException"/> ended validation.</summary>
    AfterCancelValidate,
    /// <summary>After the validation batches of an epoch.</summary>
    AfterValidate,
    /// <summary>A <see cref="CancelEpochException"/> ended the epoch.</summary>
    AfterCancelEpoch,
    /// <summary>At the end of each epoch, cancelled or not.</summary>
    AfterEpoch,
    /// <summary>A <see cref="CancelFitException"/> ended the fit.</summary>
    AfterCancelFit,
    /// <summary>Once, at the very end, even after an error.</summary>
    AfterFit,
}
