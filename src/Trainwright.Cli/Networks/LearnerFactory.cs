using Trainwright.Cli.DataSources;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Cli.Networks;

/// <summary>Builds the model and learner a run trains, the same way for train, lr-find, --resume and evaluate.</summary>
internal static class LearnerFactory
{
    public static OptimizerFactory Optimizer(OptimizerKind kind, double wd) => kind switch
    {
        OptimizerKind.Sgd => Sgd.Factory(mom: 0.9, wd: wd),
        OptimizerKind.Adam => Adam.Factory(wd: wd),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an optimizer."),
    };

    /// <summary>
    /// Seeds torch, builds the model <paramref name="spec"/> describes through <paramref name="data"/>, and a learner over
    /// <paramref name="bunch"/> with the data's loss, and the batch callbacks it needs (reshape, normalisation, and
    /// augmentation when <paramref name="augment"/>, seeded with <paramref name="seed"/>).
    /// </summary>
    public static Learner Create(ITrainingData data, ModelSpec spec, DataBunch bunch, OptimizerKind optimizer, double lr, double wd, int seed,
        bool augment, IEnumerable<Callback> callbacks)
    {
        manual_seed(seed);
        var model = data.CreateModel(spec);
        var all = new List<Callback>(callbacks);
        all.AddRange(data.BatchCallbacks(spec, augment, seed));
        return new Learner(model, bunch, data.Loss, Optimizer(optimizer, wd), lr, all);
    }
}
