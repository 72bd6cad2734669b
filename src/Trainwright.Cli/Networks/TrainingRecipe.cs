using Trainwright.Cli.Commands;
using Trainwright.Cli.Settings;
using Trainwright.Models;

namespace Trainwright.Cli.Networks;

/// <summary>
/// How a kind of model trains when the command line leaves it open: the optimizer, its learning rate, the batch size,
/// label smoothing, and Adam's betas. The CNN's is <see cref="FastCnn.Recipe"/>, the winner of the time-to-accuracy
/// runs in docs/benchmarks.md; every other model trains the lesson's way (SGD with momentum, lr 0.1, batch 64).
/// </summary>
/// <param name="Optimizer">The optimizer unless <c>--opt</c> names one.</param>
/// <param name="Lr">The peak learning rate with <paramref name="Optimizer"/> unless <c>--lr</c> gives one.</param>
/// <param name="BatchSize">The batch size unless <c>--bs</c> gives one.</param>
/// <param name="LabelSmoothing">Label smoothing of the classification loss (0: plain cross entropy).</param>
/// <param name="AdamBetas">Adam's β₁ and β₂, held constant (no momentum cycling), or null for Adam's defaults and a cycled β₁.</param>
internal sealed record TrainingRecipe(OptimizerKind Optimizer, double Lr, int BatchSize, double LabelSmoothing = 0, (double Beta1, double Beta2)? AdamBetas = null)
{
    /// <summary>The lesson's: SGD with momentum 0.9 at lr 0.1, batch 64, plain cross entropy.</summary>
    public static TrainingRecipe Lesson { get; } = new(OptimizerKind.Sgd, CliOptions.DefaultSgdLr, 64);

    /// <summary><see cref="FastCnn.Recipe"/>: Adam β 0.7/0.9 at lr 0.01, batch 128, label smoothing 0.1.</summary>
    public static TrainingRecipe Fast { get; } = new(OptimizerKind.Adam, FastCnn.Recipe.MaxLr, FastCnn.Recipe.BatchSize,
        FastCnn.Recipe.LabelSmoothing, (FastCnn.Recipe.Beta1, FastCnn.Recipe.Beta2));

    /// <summary>The recipe <paramref name="kind"/> trains with.</summary>
    public static TrainingRecipe For(ModelKind kind) => kind == ModelKind.Cnn ? Fast : Lesson;

    /// <summary>The learning rate for <paramref name="optimizer"/> when <c>--lr</c> is not given.</summary>
    public double DefaultLr(OptimizerKind optimizer) => optimizer == Optimizer ? Lr : RunSettings.DefaultLr(optimizer);

    /// <summary>Whether a one-cycle schedule cycles momentum: not when this recipe holds Adam's betas and Adam trains.</summary>
    public bool CyclesMomentum(OptimizerKind optimizer) => !(optimizer == OptimizerKind.Adam && AdamBetas is not null);

    /// <summary>Words for the header line, e.g. ", β 0.7/0.9, label smoothing 0.1" (empty for the lesson's).</summary>
    public string Describe(OptimizerKind optimizer) =>
        (optimizer == OptimizerKind.Adam && AdamBetas is { } b ? FormattableString.Invariant($", β {b.Beta1:0.###}/{b.Beta2:0.###}") : "")
        + (LabelSmoothing > 0 ? FormattableString.Invariant($", label smoothing {LabelSmoothing:0.###}") : "");
}
