using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using Trainwright.Data;
using Trainwright.Losses;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Learning;

/// <summary>
/// Holds a model, its data, loss function, optimizer and callbacks, and runs the fit loop. The loop only does what
/// the lesson says in English (for each epoch, for each batch: predict, loss, backward, step, zero the gradients);
/// everything else is a <see cref="Callback"/> that can read and change the state exposed here.
/// </summary>
public sealed class Learner
{
    private readonly List<Callback> callbacks = [];
    private Callback[] sorted = [];
    private Callback[] active = [];
    private CallbackPhases phase = CallbackPhases.Fit;
    private bool warnedSilent;
    private CancelFitException? fitCancel;
    private int epochsRun;
    private bool running;
    private readonly OptimizerFactory optimizerFactory;
    private readonly Func<nn.Module, IReadOnlyList<IReadOnlyList<Parameter>>> splitter;
    private Optimizer? opt;
    private double initialLr;
    private Tensor? xb, yb;

    /// <summary>Creates a learner.</summary>
    /// <param name="model">The model; its parameters are trained.</param>
    /// <param name="data">Training and validation loaders.</param>
    /// <param name="lossFunc">Loss of predictions against targets, a scalar tensor.</param>
    /// <param name="optimizerFactory">Builds the optimizer, lazily, once the model is on its device.</param>
    /// <param name="lr">Learning rate the optimizer starts with (<see cref="DefaultLr"/> when a schedule or <c>Fit(lr:)</c> sets it anyway).</param>
    /// <param name="callbacks">Callbacks attached for the learner's life (a <see cref="TrainEval"/> is added if missing).</param>
    /// <param name="splitter">Splits the model's parameters into groups (default: one group).</param>
    public Learner(nn.Module<Tensor, Tensor> model, DataBunch data, LossFunction lossFunc,
        OptimizerFactory optimizerFactory, double lr = DefaultLr, IEnumerable<Callback>? callbacks = null,
        Func<nn.Module, IReadOnlyList<IReadOnlyList<Parameter>>>? splitter = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Data = data ?? throw new ArgumentNullException(nameof(data));
        LossFunc = lossFunc ?? throw new ArgumentNullException(nameof(lossFunc));
        this.optimizerFactory = optimizerFactory ?? throw new ArgumentNullException(nameof(optimizerFactory));
        initialLr = CheckLr(lr, nameof(lr));
        this.splitter = splitter ?? (m => [m.parameters().ToArray()]);
        var given = callbacks?.ToList() ?? [];
        foreach (var cb in given) Add(cb);
        if (!given.OfType<TrainEval>().Any()) Add(new TrainEval());
        // Matrix products are most of an MLP's step; MKL leaves non-Intel AVX-512 processors on slower kernels.
        Runtime.MklKernels.PreferAvx512();
    }

    /// <summary>The model being trained.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The training and validation data.</summary>
    public DataBunch Data { get; }

    /// <summary>The loss function: predictions and targets to a scalar.</summary>
    public LossFunction LossFunc { get; set; }

    /// <summary>The learning rate a learner starts with when none is given (fastai's default).</summary>
    public const double DefaultLr = 1e-3;

    /// <summary>
    /// The learning rate: the optimizer's (that of its first parameter group) once it is built, otherwise the rate it
    /// will be built with. Setting it sets every group's rate, or the rate the optimizer will be built with; a
    /// <c>ParamScheduler</c> overrides it at every batch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a positive, finite number.</exception>
    public double Lr
    {
        get => opt is null ? initialLr : opt.Groups[0][Hyper.Lr];
        set
        {
            initialLr = CheckLr(value, nameof(value));
            if (opt is null) return;
            foreach (var g in opt.Groups) g[Hyper.Lr] = value;
        }
    }

    private static double CheckLr(double lr, string name) =>
        lr > 0 && double.IsFinite(lr) ? lr
            : throw new ArgumentOutOfRangeException(name, lr, "The learning rate must be a positive, finite number.");

    /// <summary>
    /// The optimizer, built on first use from the model's current parameters. Callbacks that move the model to another
    /// device do so in <see cref="Event.BeforeFit"/> before anyone asks for it (see <see cref="CallbackOrder.Device"/>).
    /// </summary>
    public Optimizer Opt => opt ??= optimizerFactory(splitter(Model), initialLr);

    /// <summary>True once <see cref="Opt"/> has been built.</summary>
    public bool HasOptimizer => opt is not null;

    /// <summary>Forgets the optimizer (and its state) so the next use builds a new one over the model's current parameters.</summary>
    public void ResetOptimizer() => opt = null;

    // ---- Loop state, read (and partly written) by callbacks ----

    /// <summary>Number of epochs of the current fit.</summary>
    public int Epochs { get; internal set; }

    /// <summary>The current epoch, from 0.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Index of the current batch within the current training or validation pass.</summary>
    public int Iter { get; internal set; }

    /// <summary>Training batches completed since the start of the fit (across epochs, and across a resume).</summary>
    public int TrainIter { get; internal set; }

    /// <summary>Epochs done as a fraction, e.g. 2.35 means 35% through the third epoch.</summary>
    public double EpochFraction { get; internal set; }

    /// <summary>Fraction of the whole fit done, in [0, 1]: the position schedules read.</summary>
    public double PctTrain => Epochs == 0 ? 0 : Math.Clamp(EpochFraction / Epochs, 0, 1);

    /// <summary>True while training batches run, false during validation.</summary>
    public bool Training { get; internal set; }

    /// <summary>The loader of the current pass; a callback may replace it in <see cref="Event.BeforeTrain"/> or <see cref="Event.BeforeValidate"/>.</summary>
    public IDataLoader? Dl { get; internal set; }

    /// <summary>Number of training batches per epoch.</summary>
    public int ItersPerEpoch => Data.Train.BatchCount;

    /// <summary>The current batch's inputs; callbacks may replace it in <see cref="Event.BeforeBatch"/>.</summary>
    public Tensor Xb { get => xb ?? throw NoBatch(); set => xb = value; }

    /// <summary>The current batch's targets; callbacks may replace it in <see cref="Event.BeforeBatch"/>.</summary>
    public Tensor Yb { get => yb ?? throw NoBatch(); set => yb = value; }

    /// <summary>The model's output for <see cref="Xb"/>; callbacks may replace it in <see cref="Event.AfterPred"/>.</summary>
    public Tensor? Pred { get; set; }

    /// <summary>The loss for the current batch; callbacks may replace it in <see cref="Event.AfterLoss"/>.</summary>
    public Tensor? Loss { get; set; }

    /// <summary>
    /// The cancellation being handled, during an <c>AfterCancel…</c> event (its <see cref="CancelException.Reason"/> says
    /// why); null at every other moment.
    /// </summary>
    public CancelException? Cancellation { get; private set; }

    /// <summary>Number of items in the current batch.</summary>
    public int BatchSize => (int)Xb.size(0);

    // ---- Callbacks ----

    /// <summary>Attached callbacks in the order they run.</summary>
    public IReadOnlyList<Callback> Callbacks => sorted;

    /// <summary>
    /// Raised with a warning about the learner's set-up, for example that no attached callback reports training (so a
    /// fit would run silently). Each warning is raised at most once per learner, and is also listed in
    /// <see cref="FitResult.Warnings"/>. The library never writes warnings to the console itself.
    /// </summary>
    public event Action<string>? Warning;

    /// <summary>The kind of loop running now (<see cref="CallbackPhases.Fit"/> unless the learning rate finder or an inference call runs).</summary>
    public CallbackPhases Phase => phase;

    /// <summary>Fits started on this learner, counting the current one (the learning rate finder's do not count).</summary>
    public int FitCount { get; private set; }

    /// <summary>
    /// Attaches a callback for the learner's life. Adding a callback that is already attached to this learner does
    /// nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The callback is attached to another learner, or it allows one per
    /// learner (<see cref="Callback.OnePerLearner"/>) and one of its type is already attached.</exception>
    public Learner Add(Callback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (callback.IsAttached && ReferenceEquals(callback.Learner, this)) return this;
        if (callback.IsAttached)
            throw new InvalidOperationException($"Callback '{callback.Name}' is already attached to another learner; create a new one (e.g. from a factory) for each learner.");
        if (callback.OnePerLearner && callbacks.FirstOrDefault(c => c.GetType() == callback.GetType()) is { } existing)
            throw new InvalidOperationException(
                $"This learner already has a {existing.Name} callback, and a learner takes only one (two would record or show everything twice). "
                + $"Use learner.Get<{callback.GetType().Name}>() to reach the one attached, or learner.Remove(it) first to replace it.");
        callback.Learner = this;
        callbacks.Add(callback);
        Resort();
        callback.OnAttached();
        return this;
    }

    /// <summary>Attaches one new callback from each factory (the lesson's <c>cb_funcs</c>).</summary>
    public Learner Add(IEnumerable<Func<Callback>> factories)
    {
        ArgumentNullException.ThrowIfNull(factories);
        foreach (var make in factories) Add(make());
        return this;
    }

    /// <summary>Detaches a callback; returns false when it was not attached here.</summary>
    public bool Remove(Callback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (!callbacks.Remove(callback)) return false;
        callback.Detach();
        Resort();
        return true;
    }

    /// <summary>The first attached callback of type <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">No callback of that type is attached.</exception>
    public T Get<T>() where T : Callback =>
        TryGet<T>(out var cb) ? cb
            : throw new InvalidOperationException($"No {typeof(T).Name} callback is attached. Attached: {string.Join(", ", sorted.Select(c => c.Name))}.");

    /// <summary>Finds the first attached callback of type <typeparamref name="T"/>.</summary>
    public bool TryGet<T>(out T callback) where T : Callback
    {
        foreach (var c in sorted)
            if (c is T t) { callback = t; return true; }
        callback = null!;
        return false;
    }

    private void Resort()
    {
        sorted = [.. callbacks.OrderBy(c => c.Order)]; // OrderBy is stable: ties keep insertion order.
        active = [.. sorted.Where(c => (c.RunsIn & phase) != 0)];
    }

    /// <summary>
    /// Runs <paramref name="body"/> as a loop of kind <paramref name="kind"/>: only callbacks whose
    /// <see cref="Callback.RunsIn"/> includes it take part; the others are skipped and keep their state.
    /// </summary>
    internal T RunAs<T>(CallbackPhases kind, Func<T> body)
    {
        var before = phase;
        phase = kind;
        Resort();
        try { return body(); }
        finally
        {
            phase = before;
            Resort();
        }
    }

    // ---- The loop ----

    /// <summary>Trains for <paramref name="epochs"/> epochs, validating after each.</summary>
    /// <param name="epochs">Number of epochs (at least 1).</param>
    /// <param name="callbacks">Callbacks attached for this call only (e.g. a <see cref="ResumeFrom"/> to continue a stopped run).</param>
    /// <param name="lr">When given, the learning rate of every parameter group, set once the callbacks' <see cref="Event.BeforeFit"/>
    /// has run (so after a resumed checkpoint restored its settings); a <c>ParamScheduler</c> still overrides it.</param>
    /// <returns>What the fit did: epochs run, whether and why it stopped early, the best monitored value, the history.</returns>
    /// <exception cref="InvalidOperationException">The training data gives no batch (checked after <see cref="Event.BeforeFit"/>).</exception>
    public FitResult Fit(int epochs, IEnumerable<Callback>? callbacks = null, double? lr = null)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Fit needs at least one epoch.");
        if (lr is { } rate) CheckLr(rate, nameof(lr));
        var extra = callbacks?.ToList() ?? [];
        var added = new List<Callback>();
        try
        {
            foreach (var cb in extra)
            {
                if (cb is not null && cb.IsAttached && ReferenceEquals(cb.Learner, this)) continue; // attached for good: leave it
                Add(cb!);
                added.Add(cb!);
            }
            if (running) throw new InvalidOperationException("A fit is already running on this learner; Fit cannot be called from inside a fit.");
            if (phase == CallbackPhases.Fit) FitCount++;
            var warnings = phase == CallbackPhases.Fit ? CheckSetUp() : [];
            Epochs = epochs;
            Epoch = TrainIter = 0;
            EpochFraction = 0;
            fitCancel = null;
            epochsRun = 0;
            running = true;
            try
            {
                With<CancelFitException>(Event.BeforeFit, Event.AfterCancelFit, Event.AfterFit, () =>
                {
                    CheckOptimizerOwnsModelParameters();
                    CheckTrainingBatches();
                    if (lr is { } r) Lr = r;
                    for (; Epoch < Epochs; Epoch++)
                        OneEpoch();
                });
            }
            finally { running = false; }
            var result = new FitResult
            {
                Epochs = epochs,
                EpochsRun = epochsRun,
                StopReason = fitCancel is null ? null : fitCancel.Reason ?? fitCancel.Message,
                StoppedInEpoch = fitCancel is null ? null : Math.Min(Epoch, Epochs - 1) + 1,
                Warnings = warnings,
            };
            foreach (var cb in active)
                if (cb is IFitResultContributor contributor) result = contributor.Contribute(result);
            return result;
        }
        finally
        {
            foreach (var cb in added) Remove(cb);
            xb = yb = null;
            Pred = Loss = null;
            Dl = null;
        }
    }

    /// <summary>
    /// Runs the model over <paramref name="batches"/> without training: eval mode and no gradients, restoring the model's
    /// mode afterwards. Only callbacks that run in <see cref="CallbackPhases.Inference"/> see the batches
    /// (<see cref="Event.BeforeBatch"/> and <see cref="Event.AfterPred"/>), e.g. to move or reshape them.
    /// <paramref name="onBatch"/> receives each prediction and target inside the batch's dispose scope.
    /// </summary>
    internal void Infer(IEnumerable<Batch> batches, bool disposeBatches, Action<Tensor, Tensor> onBatch)
    {
        if (running) throw new InvalidOperationException("Predict, GetPreds and Validate cannot run while a fit is running on this learner.");
        RunAs(CallbackPhases.Inference, () =>
        {
            bool modelTraining = Model.training, loopTraining = Training;
            running = true;
            Model.eval();
            Training = false;
            Iter = 0;
            try
            {
                using var _ = no_grad();
                foreach (var batch in batches)
                {
                    try { InferBatch(batch, onBatch); }
                    finally { if (disposeBatches) batch.Dispose(); }
                    Iter++;
                }
            }
            finally
            {
                running = false;
                Model.train(modelTraining);
                Training = loopTraining;
                Iter = 0;
            }
            return 0;
        });
    }

    private void InferBatch(Batch batch, Action<Tensor, Tensor> onBatch)
    {
        using var scope = NewDisposeScope();
        xb = batch.Xb;
        yb = batch.Yb;
        try
        {
            Fire(Event.BeforeBatch);
            var device = Devices.Of(Model);
            if (!Devices.Same(Xb.device, device)) Xb = Xb.to(device);
            Pred = Forward(Xb);
            Fire(Event.AfterPred);
            onBatch(Pred, Yb);
        }
        catch (CancelBatchException)
        {
            // A callback skipped this batch: it contributes nothing.
        }
        finally
        {
            xb = yb = null;
            Pred = Loss = null;
        }
    }

    /// <summary>Warnings about the set-up, each raised once per learner.</summary>
    private List<string> CheckSetUp()
    {
        var warnings = new List<string>();
        if (!warnedSilent && !sorted.Any(c => c.ReportsTraining))
        {
            warnedSilent = true;
            warnings.Add("No attached callback reports training (no AvgStats, progress display or logger), so this fit runs silently "
                + "and computes no metrics. Add them with learner.Add(StandardCallbacks.Classification()) or StandardCallbacks.For(metrics).");
        }
        foreach (var w in warnings)
        {
            System.Diagnostics.Trace.TraceWarning(w);
            Warning?.Invoke(w);
        }
        return warnings;
    }

    private void CheckTrainingBatches()
    {
        var train = Data.Train;
        if (train.BatchCount > 0) return;
        int items = train.ItemCount, bs = train.BatchSize;
        throw new InvalidOperationException(train.DropLast
            ? $"The training data gives no batch: the batch size ({bs}) is larger than the training set, and dropLast drops the only, "
              + "incomplete batch. Use a batch size no larger than the training set, or turn dropLast off."
            : $"The training data gives no batch ({items} items), so there is nothing to train on. Give the training set at least one item.");
    }

    private void OneEpoch() =>
        With<CancelEpochException>(Event.BeforeEpoch, Event.AfterCancelEpoch, Event.AfterEpoch, () =>
        {
            epochsRun++;
            OnePass<CancelTrainException>(Data.Train, Event.BeforeTrain, Event.AfterCancelTrain, Event.AfterTrain);
            using (no_grad())
                OnePass<CancelValidateException>(Data.Valid, Event.BeforeValidate, Event.AfterCancelValidate, Event.AfterValidate);
        });

    private void OnePass<TCancel>(IDataLoader loader, Event before, Event cancelled, Event after) where TCancel : CancelException
    {
        loader.Epoch = Epoch;
        Dl = loader;
        Iter = 0;
        With<TCancel>(before, cancelled, after, () =>
        {
            foreach (var batch in Dl ?? loader)
            {
                using (batch) OneBatch(batch);
                Iter++;
            }
        });
    }

    private void OneBatch(Batch batch)
    {
        // Everything made while this batch runs dies with it; what a callback keeps, it copies out or moves out.
        using var scope = NewDisposeScope();
        xb = batch.Xb;
        yb = batch.Yb;
        try
        {
            With<CancelBatchException>(Event.BeforeBatch, Event.AfterCancelBatch, Event.AfterBatch, () =>
            {
                Pred = Forward(Xb); Fire(Event.AfterPred);
                Loss = ComputeLoss(Pred, Yb); Fire(Event.AfterLoss);
                if (!Training) return;
                Fire(Event.BeforeBackward);
                Loss.backward(); Fire(Event.AfterBackward);
                Opt.Step(); Fire(Event.AfterStep);
                Opt.ZeroGrad();
            });
        }
        finally
        {
            xb = yb = null;
            Pred = Loss = null;
        }
    }

    private void With<TCancel>(Event before, Event cancelled, Event after, Action body) where TCancel : CancelException
    {
        bool failed = false;
        try
        {
            Fire(before);
            body();
        }
        catch (TCancel e)
        {
            if (e is CancelFitException fit) fitCancel = fit;
            Cancellation = e;
            try { Fire(cancelled); }
            finally { Cancellation = null; }
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            // While an error unwinds, cleanup still runs, but a second error must not hide the first.
            if (failed) FireQuietly(after); else Fire(after);
        }
    }

    private void FireQuietly(Event @event)
    {
        foreach (var cb in active)
        {
            try { cb.Handle(@event); }
            catch (Exception) { /* the error already propagating is the one to report */ }
        }
    }

    /// <summary>Runs every attached callback's handler for <paramref name="event"/>, in order.</summary>
    /// <exception cref="CallbackException">A callback threw something other than a <see cref="CancelException"/>.</exception>
    public void Fire(Event @event)
    {
        foreach (var cb in active)
        {
            try
            {
                cb.Handle(@event);
            }
            catch (Exception e) when (e is not CancelException and not CallbackException)
            {
                var level = Events.LevelOf(@event);
                int? epoch = level == LoopLevel.Fit ? null : Epoch + 1;
                int? batch = level is LoopLevel.Batch or LoopLevel.Step ? Iter + 1 : null;
                throw new CallbackException(cb, @event, e, epoch, batch, Training);
            }
        }
    }

    /// <summary>The model's output for <paramref name="x"/>; a failure names the batch and what the model expects.</summary>
    internal Tensor Forward(Tensor x)
    {
        try { return Model.call(x); }
        catch (Exception e) when (e is not CancelException and not CallbackException and not BatchFailedException)
        {
            throw Failed($"The model's forward pass failed {Where()} on Xb {Describe(x)}{ModelInputs.Expectation(Model)}", e);
        }
    }

    internal Tensor ComputeLoss(Tensor pred, Tensor target)
    {
        try { return LossFunc(pred, target); }
        catch (Exception e) when (e is not CancelException and not CallbackException and not BatchFailedException)
        {
            throw Failed($"The loss function failed {Where()} on Pred {Describe(pred)} and Yb {Describe(target)}", e);
        }
    }

    private string Where() =>
        phase == CallbackPhases.Inference ? $"in batch {Iter + 1}" : $"in epoch {Epoch + 1}, {(Training ? "training" : "validation")} batch {Iter + 1}";

    private BatchFailedException Failed(string what, Exception e) =>
        new($"{what}: {e.Message}", Epoch + 1, Iter + 1, Training, e);

    private static string Describe(Tensor t) => $"{t.dtype} [{string.Join(", ", t.shape)}]";

    private void CheckOptimizerOwnsModelParameters()
    {
        if (opt is null) return;
        var own = new HashSet<IntPtr>(Model.parameters().Select(p => p.Handle));
        if (opt.Parameters.Any(p => p.IsInvalid || !own.Contains(p.Handle)))
            throw new InvalidOperationException(
                "The optimizer holds parameters that are no longer the model's: the model was moved (module.to(device) replaces "
                + "its parameters) after the optimizer was built. Move the model first, or call learner.ResetOptimizer() after moving it.");
    }

    /// <summary>Describes which callbacks run at each event, in order, indented by loop level (events no callback handles are left out).</summary>
    public string DescribeTrainingLoop()
    {
        var sb = new StringBuilder();
        foreach (var e in Events.All)
        {
            var handlers = active.Where(c => c.Handles(e)).Select(c => c.Name).ToList();
            if (handlers.Count > 0) sb.Append(' ', (int)Events.LevelOf(e) * 2).Append(e).Append(": ").AppendJoin(", ", handlers).AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Writes <see cref="DescribeTrainingLoop"/> to <paramref name="writer"/>.</summary>
    public void ShowTrainingLoop(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(DescribeTrainingLoop());
    }

    private static InvalidOperationException NoBatch() =>
        new("There is no current batch: Xb and Yb exist only between BeforeBatch and AfterBatch.");
}
