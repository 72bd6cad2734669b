namespace Trainwright.Learning;

/// <summary>
/// Something that runs at the events of the fit loop and may read or change anything on the <see cref="Learner"/>
/// (the batch, predictions, loss, hyperparameters), or end part of the loop by throwing a <see cref="CancelException"/>.
/// Override only the events you need; the others do nothing.
/// </summary>
public abstract class Callback
{
    private Learner? learner;

    /// <summary>When this callback runs relative to others at the same event (lower first). See <see cref="CallbackOrder"/>.</summary>
    public virtual int Order => CallbackOrder.Default;

    /// <summary>Display name: the type name without a trailing "Callback".</summary>
    public virtual string Name
    {
        get
        {
            var n = GetType().Name;
            return n.EndsWith("Callback", StringComparison.Ordinal) && n.Length > "Callback".Length ? n[..^"Callback".Length] : n;
        }
    }

    /// <summary>
    /// The kinds of loop this callback runs in. The default, <see cref="CallbackPhases.Fit"/> and
    /// <see cref="CallbackPhases.LrFind"/>, suits callbacks that change how training happens; callbacks that record,
    /// log, save or stop (whose state the finder's throw-away training must not touch) return only
    /// <see cref="CallbackPhases.Fit"/>; callbacks that prepare batches add <see cref="CallbackPhases.Inference"/>.
    /// </summary>
    public virtual CallbackPhases RunsIn => CallbackPhases.Fit | CallbackPhases.LrFind;

    /// <summary>True when a learner may hold only one callback of this type (a second is refused when added).</summary>
    public virtual bool OnePerLearner => false;

    /// <summary>
    /// True when this callback reports training to the user (metrics, a display, a log). A learner none of whose callbacks
    /// reports anything warns once, through <see cref="Learner.Warning"/>, that its fits run silently.
    /// </summary>
    public virtual bool ReportsTraining => false;

    /// <summary>The learner this callback is attached to.</summary>
    /// <exception cref="InvalidOperationException">The callback has not been added to a learner.</exception>
    public Learner Learner
    {
        get => learner ?? throw new InvalidOperationException($"Callback '{Name}' is not attached to a Learner; add it with learner.Add(...) or pass it to Fit.");
        internal set => learner = value;
    }

    /// <summary>True while the callback is attached to a learner.</summary>
    public bool IsAttached => learner is not null;

    internal void Detach() => learner = null;

    /// <summary>Called when the callback is added to a learner (before any fit).</summary>
    public virtual void OnAttached() { }

    /// <summary>See <see cref="Event.BeforeFit"/>.</summary>
    public virtual void BeforeFit() { }
    /// <summary>See <see cref="Event.BeforeEpoch"/>.</summary>
    public virtual void BeforeEpoch() { }
    /// <summary>See <see cref="Event.BeforeTrain"/>.</summary>
    public virtual void BeforeTrain() { }
    /// <summary>See <see cref="Event.BeforeBatch"/>.</summary>
    public virtual void BeforeBatch() { }
    /// <summary>See <see cref="Event.AfterPred"/>.</summary>
    public virtual void AfterPred() { }
    /// <summary>See <see cref="Event.AfterLoss"/>.</summary>
    public virtual void AfterLoss() { }
    /// <summary>See <see cref="Event.BeforeBackward"/>.</summary>
    public virtual void BeforeBackward() { }
    /// <summary>See <see cref="Event.AfterBackward"/>.</summary>
    public virtual void AfterBackward() { }
    /// <summary>See <see cref="Event.AfterStep"/>.</summary>
    public virtual void AfterStep() { }
    /// <summary>See <see cref="Event.AfterCancelBatch"/>.</summary>
    public virtual void AfterCancelBatch() { }
    /// <summary>See <see cref="Event.AfterBatch"/>.</summary>
    public virtual void AfterBatch() { }
    /// <summary>See <see cref="Event.AfterCancelTrain"/>.</summary>
    public virtual void AfterCancelTrain() { }
    /// <summary>See <see cref="Event.AfterTrain"/>.</summary>
    public virtual void AfterTrain() { }
    /// <summary>See <see cref="Event.BeforeValidate"/>.</summary>
    public virtual void BeforeValidate() { }
    /// <summary>See <see cref="Event.AfterCancelValidate"/>.</summary>
    public virtual void AfterCancelValidate() { }
    /// <summary>See <see cref="Event.AfterValidate"/>.</summary>
    public virtual void AfterValidate() { }
    /// <summary>See <see cref="Event.AfterCancelEpoch"/>.</summary>
    public virtual void AfterCancelEpoch() { }
    /// <summary>See <see cref="Event.AfterEpoch"/>.</summary>
    public virtual void AfterEpoch() { }
    /// <summary>See <see cref="Event.AfterCancelFit"/>.</summary>
    public virtual void AfterCancelFit() { }
    /// <summary>See <see cref="Event.AfterFit"/>.</summary>
    public virtual void AfterFit() { }

    /// <summary>Runs the handler of <paramref name="event"/>.</summary>
    internal void Handle(Event @event) => Events.RowOf(@event).Run(this);

    /// <summary>True when this callback's type overrides the handler of <paramref name="event"/>.</summary>
    internal bool Handles(Event @event) => Events.RowOf(@event).Handler(this).Method.DeclaringType != typeof(Callback);

    /// <inheritdoc />
    public override string ToString() => Name;
}
