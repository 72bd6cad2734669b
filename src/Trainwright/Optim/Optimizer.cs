using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Trainwright.Optim;

/// <summary>
/// Builds an optimizer over parameter groups with a base learning rate. The Learner calls it after the model is on
/// its device, because moving a TorchSharp module replaces its Parameter objects.
/// </summary>
public delegate Optimizer OptimizerFactory(IReadOnlyList<IReadOnlyList<Parameter>> groups, double lr);

/// <summary>
/// Base of our optimizers: parameter groups with named hyperparameters, and <see cref="Step"/> kept apart from
/// <see cref="ZeroGrad"/> so gradients can be accumulated over several batches.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimizer over the given groups.</summary>
    protected Optimizer(IEnumerable<ParamGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Groups = groups.ToArray();
        if (Groups.Count == 0) throw new ArgumentException("An optimizer needs at least one parameter group.", nameof(groups));
    }

    /// <summary>The parameter groups, each with its hyperparameters.</summary>
    public IReadOnlyList<ParamGroup> Groups { get; }

    /// <summary>Every parameter of every group.</summary>
    public IEnumerable<Parameter> Parameters => Groups.SelectMany(g => g.Parameters);

    /// <summary>Updates every parameter that has a gradient.</summary>
    public abstract void Step();

    /// <summary>Sets the gradients of this optimizer's parameters (not the whole model's) to zero.</summary>
    public void ZeroGrad()
    {
        using var _ = no_grad();
        foreach (var p in Parameters)
        {
            var g = p.grad;
            if (g is not null) g.zero_();
        }
    }

    /// <summary>Writes the optimizer's hyperparameters and per-parameter state (momentum buffers, step counts…).</summary>
    public abstract void SaveState(BinaryWriter writer);

    /// <summary>Restores what <see cref="SaveState"/> wrote; the optimizer must have the same groups and shapes.</summary>
    public abstract void LoadState(BinaryReader reader);
}
