using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Cli.Running;

/// <summary>Builds the model, loaders and learner a run trains, the same way for train, lr-find and evaluate.</summary>
internal static class LearnerFactory
{
    /// <summary>The spec for <paramref name="kind"/> sized from the data (image shape, class count).</summary>
    public static ModelSpec SpecFor(string kind, int hidden, MnistData data) =>
        new(kind, data.ImageShape.Height, data.ImageShape.Width, hidden, data.ClassCount);

    public static OptimizerFactory Optimizer(string name, double wd) => name switch
    {
        "sgd" => Sgd.Factory(mom: 0.9, wd: wd),
        "adam" => Adam.Factory(wd: wd),
        _ => throw new CliException($"Unknown optimizer '{name}'; use sgd or adam."),
    };

    /// <summary>
    /// Seeds torch, builds the model, and a learner over <paramref name="bunch"/>; CNNs get the reshape from flat rows to
    /// [bs, 1, H, W] images.
    /// </summary>
    public static Learner Create(ModelSpec spec, DataBunch bunch, string optimizer, double lr, double wd, int seed,
        IEnumerable<Callback> callbacks)
    {
        manual_seed(seed);
        var model = spec.Build();
        var all = new List<Callback>(callbacks);
        if (spec.NeedsImages) all.Add(BatchTransform.Reshape(1, spec.Height, spec.Width));
        return new Learner(model, bunch, LossFunctions.CrossEntropyLoss, Optimizer(optimizer, wd), lr, all);
    }
}
