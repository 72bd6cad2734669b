using Trainwright.Callbacks;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Cli.Networks;

/// <summary>Builds the model and learner a run trains, the same way for train, lr-find and evaluate.</summary>
internal static class LearnerFactory
{
    public static OptimizerFactory Optimizer(OptimizerKind kind, double wd) => kind switch
    {
        OptimizerKind.Sgd => Sgd.Factory(mom: 0.9, wd: wd),
        OptimizerKind.Adam => Adam.Factory(wd: wd),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an optimizer."),
    };

    /// <summary>
    /// Seeds torch, builds the model, and a learner over <paramref name="bunch"/>; CNNs get the reshape from flat rows to
    /// [bs, C, H, W] images.
    /// </summary>
    public static Learner Create(ModelSpec spec, DataBunch bunch, OptimizerKind optimizer, double lr, double wd, int seed,
        IEnumerable<Callback> callbacks)
    {
        manual_seed(seed);
        var model = spec.Build();
        var all = new List<Callback>(callbacks);
        if (spec.NeedsImages) all.Add(BatchTransform.Reshape(spec.Channels, spec.Height, spec.Width));
        return new Learner(model, bunch, LossFunctions.CrossEntropyLoss, Optimizer(optimizer, wd), lr, all);
    }
}
