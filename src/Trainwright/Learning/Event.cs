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

/// <summary>How deep in the fit loop an event fires: the fit, an epoch, a training or validation pass, a batch, a step inside a batch.</summary>
public enum LoopLevel
{
    /// <summary>Around the whole fit.</summary>
    Fit,
    /// <summary>Around one epoch.</summary>
    Epoch,
    /// <summary>Around the training or the validation pass of an epoch.</summary>
    Pass,
    /// <summary>Around one batch.</summary>
    Batch,
    /// <summary>A step inside a batch (prediction, loss, backward, optimizer step).</summary>
    Step,
}

/// <summary>
/// Every fact about each <see cref="Event"/> besides its name, in one table: how deep in the loop it fires and which
/// overridable <see cref="Callback"/> method handles it. Adding an event means a value in <see cref="Event"/>, a row
/// here and the virtual method on <see cref="Callback"/>.
/// </summary>
public static class Events
{
    /// <summary>One event's facts.</summary>
    /// <param name="Event">The event.</param>
    /// <param name="Level">How deep in the loop it fires.</param>
    /// <param name="Run">Calls a callback's handler of the event (no allocation: runs at every batch).</param>
    /// <param name="Handler">The callback's handler as a delegate, whose method tells which class implements it.</param>
    internal sealed record Row(Event Event, LoopLevel Level, Action<Callback> Run, Func<Callback, Action> Handler);

    private static readonly Row[] Table =
    [
        new(Event.BeforeFit, LoopLevel.Fit, c => c.BeforeFit(), c => c.BeforeFit),
        new(Event.BeforeEpoch, LoopLevel.Epoch, c => c.BeforeEpoch(), c => c.BeforeEpoch),
        new(Event.BeforeTrain, LoopLevel.Pass, c => c.BeforeTrain(), c => c.BeforeTrain),
        new(Event.BeforeBatch, LoopLevel.Batch, c => c.BeforeBatch(), c => c.BeforeBatch),
        new(Event.AfterPred, LoopLevel.Step, c => c.AfterPred(), c => c.AfterPred),
        new(Event.AfterLoss, LoopLevel.Step, c => c.AfterLoss(), c => c.AfterLoss),
        new(Event.BeforeBackward, LoopLevel.Step, c => c.BeforeBackward(), c => c.BeforeBackward),
        new(Event.AfterBackward, LoopLevel.Step, c => c.AfterBackward(), c => c.AfterBackward),
        new(Event.AfterStep, LoopLevel.Step, c => c.AfterStep(), c => c.AfterStep),
        new(Event.AfterCancelBatch, LoopLevel.Batch, c => c.AfterCancelBatch(), c => c.AfterCancelBatch),
        new(Event.AfterBatch, LoopLevel.Batch, c => c.AfterBatch(), c => c.AfterBatch),
        new(Event.AfterCancelTrain, LoopLevel.Pass, c => c.AfterCancelTrain(), c => c.AfterCancelTrain),
        new(Event.AfterTrain, LoopLevel.Pass, c => c.AfterTrain(), c => c.AfterTrain),
        new(Event.BeforeValidate, LoopLevel.Pass, c => c.BeforeValidate(), c => c.BeforeValidate),
        new(Event.AfterCancelValidate, LoopLevel.Pass, c => c.AfterCancelValidate(), c => c.AfterCancelValidate),
        new(Event.AfterValidate, LoopLevel.Pass, c => c.AfterValidate(), c => c.AfterValidate),
        new(Event.AfterCancelEpoch, LoopLevel.Epoch, c => c.AfterCancelEpoch(), c => c.AfterCancelEpoch),
        new(Event.AfterEpoch, LoopLevel.Epoch, c => c.AfterEpoch(), c => c.AfterEpoch),
        new(Event.AfterCancelFit, LoopLevel.Fit, c => c.AfterCancelFit(), c => c.AfterCancelFit),
        new(Event.AfterFit, LoopLevel.Fit, c => c.AfterFit(), c => c.AfterFit),
    ];

    /// <summary>Every event, in the order a normal epoch reaches them.</summary>
    public static IReadOnlyList<Event> All { get; } = [.. Table.Select(r => r.Event)];

    /// <summary>How deep in the fit loop <paramref name="event"/> fires.</summary>
    public static LoopLevel LevelOf(Event @event) => RowOf(@event).Level;

    /// <summary>The row of <paramref name="event"/>; the table is in enum order, so this is an index.</summary>
    internal static Row RowOf(Event @event) =>
        (uint)@event < (uint)Table.Length && Table[(int)@event].Event == @event
            ? Table[(int)@event]
            : throw new ArgumentOutOfRangeException(nameof(@event), @event, "Unknown event, or the event table is out of enum order.");
}

