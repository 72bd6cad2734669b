using Trainwright.Cli.DataSources;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Cli.Networks;

/// <summary>Builds the model and learner a run trains, the same way for train, lr-find, --resume and evaluate.</summary>
internal static class LearnerFactory
{
    public static OptimizerFactory Optimizer(OptimizerKind kind, double wd, TrainingRecipe recipe) => kind switch
    {
        OptimizerKind.Sgd => Sgd.Factory(mom: 0.9, wd: wd),
        OptimizerKind.Adam when recipe.AdamBetas is { } betas => Adam.Factory(mom: betas.Beta1, sqrMom: betas.Beta2, wd: wd),
        OptimizerKind.Adam => Adam.Factory(wd: wd),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an optimizer."),
    };

    /// <summary>
    /// Seeds torch, builds the model <paramref name="spec"/> describes through <paramref name="data"/>, and a learner over
    /// <paramref name="bunch"/> with the data's loss (label-smoothed when the <paramref name="recipe"/> says so and the
    /// target is a class), and the batch callbacks it needs (reshape, normalisation, and augmentation when
    /// <paramref name="augment"/>, seeded with <paramref name="seed"/>).
    /// </summary>
    public static Learner Create(ITrainingData data, ModelSpec spec, DataBunch bunch, TrainingRecipe recipe, OptimizerKind optimizer, double lr, double wd,
        int seed, bool augment, IEnumerable<Callback> callbacks)
    {
        manual_seed(seed);
        var model = data.CreateModel(spec);
        var all = new List<Callback>(callbacks);
        all.AddRange(data.BatchCallbacks(spec, augment, seed));
        var loss = recipe.LabelSmoothing > 0 && !data.Shape.IsRegression ? LossFunctions.LabelSmoothingCrossEntropy(recipe.LabelSmoothing) : data.Loss;
        return new Learner(model, bunch, loss, Optimizer(optimizer, wd, recipe), lr, all);
    }
}
