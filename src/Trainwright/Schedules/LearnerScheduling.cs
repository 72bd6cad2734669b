using Trainwright.Optim;
using Trainwright.Schedules;
using static TorchSharp.torch;

// In the Learner's namespace on purpose: whoever holds a Learner finds FitOneCycle and LrFind next to Fit.
namespace Trainwright.Learning;

/// <summary>Scheduled ways to fit a <see cref="Learner"/>: one-cycle training and the learning rate finder.</summary>
public static class LearnerScheduling
{
    /// <summary>
    /// Fits with the one-cycle policy: learning rate warms up from <c>maxLr/divStart</c> to <paramref name="maxLr"/>
    /// along a cosine over <paramref name="pctStart"/> of training then anneals to <c>maxLr/divFinal</c>, while momentum
    /// (when the optimizer has one) does the inverse between <paramref name="maxMom"/> and <paramref name="minMom"/>, unless
    /// <paramref name="cycleMomentum"/> is false: then momentum stays where the optimizer has it (a recipe that tuned its
    /// own, like <see cref="Models.FastCnn.Recipe"/>).
    /// </summary>
    /// <returns>What the fit did (see <see cref="Learner.Fit"/>).</returns>
    public static FitResult FitOneCycle(this Learner learner, int epochs, double maxLr, double pctStart = 0.25,
        double maxMom = 0.95, double minMom = 0.85, double divStart = 25, double divFinal = 1e5,
        IEnumerable<Callback>? callbacks = null, bool cycleMomentum = true)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var schedules = new Dictionary<string, Schedule[]> { [Hyper.Lr] = [Sched.OneCycleLr(maxLr, pctStart, divStart, divFinal)] };
        if (cycleMomentum) schedules[Hyper.Mom] = [Sched.OneCycleMom(maxMom, minMom, pctStart)];
        var scheduler = new ParamScheduler(schedules) { SkipMissing = true };
        return learner.Fit(epochs, [scheduler, .. callbacks ?? []]);
    }

    /// <summary>
    /// Runs the learning rate finder and then restores the model weights, the optimizer state and the RNG exactly as
    /// they were, so the search leaves no trace. Returns the finder with its curve and suggestion.
    /// <para>
    /// The search runs as a <see cref="CallbackPhases.LrFind"/> loop: attached callbacks whose <see cref="Callback.RunsIn"/>
    /// leaves it out (metrics, the Recorder, checkpoints, loggers, early stopping, the progress display) do not run, so
    /// their state and files are as they were; callbacks that shape training (device, transforms, clipping…) take part.
    /// </para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The training data gives no batch.</exception>
    public static LrFinder LrFind(this Learner learner, double startLr = 1e-7, double endLr = 10, int maxIter = 100, double stopFactor = 4)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var finder = new LrFinder(startLr, endLr, maxIter, stopFactor);
        bool hadOptimizer = learner.HasOptimizer;
        using var model = new MemoryStream();
        using (var w = new BinaryWriter(model, System.Text.Encoding.UTF8, leaveOpen: true)) learner.Model.save(w);
        byte[]? optimizer = hadOptimizer ? learner.Opt.CaptureState() : null;
        using var rng = random.get_rng_state();
        bool training = learner.Model.training;
        try
        {
            int epochs = Math.Max(1, (maxIter + learner.ItersPerEpoch - 1) / Math.Max(1, learner.ItersPerEpoch));
            learner.RunAs(CallbackPhases.LrFind, () => learner.Fit(epochs, [finder]));
        }
        finally
        {
            model.Position = 0;
            using (var r = new BinaryReader(model, System.Text.Encoding.UTF8, leaveOpen: true)) learner.Model.load(r);
            if (optimizer is not null) learner.Opt.RestoreState(optimizer);
            else learner.ResetOptimizer();
            random.set_rng_state(rng);
            learner.Model.train(training);
        }
        return finder;
    }
}
