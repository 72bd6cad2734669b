using System.Text;
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
/// <see cref="ZeroGrad"/> so gradients can be accumulated over several batches. Disposing an optimizer frees the
/// native memory of its state (momentum buffers…), not the parameters.
/// </summary>
public abstract class Optimizer : IDisposable
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
    public virtual void ZeroGrad()
    {
        using var _ = no_grad();
        foreach (var group in Groups)
        {
            foreach (var p in group.Parameters)
            {
                // Each read of .grad makes a new native handle: release it at once rather than leave it to a scope.
                using var g = p.grad;
                g?.zero_();
            }
        }
    }

    /// <summary>Writes the optimizer's hyperparameters and per-parameter state (momentum buffers, step counts…).</summary>
    public abstract void SaveState(BinaryWriter writer);

    /// <summary>Restores what <see cref="SaveState"/> wrote; the optimizer must have the same groups and shapes.</summary>
    public abstract void LoadState(BinaryReader reader);

    /// <summary>
    /// Takes an in-memory copy of everything <see cref="SaveState"/> writes, so <see cref="RestoreState"/> can put
    /// the optimizer back exactly (bit for bit) where it was, e.g. after a learning-rate finder's trial run.
    /// </summary>
    public byte[] CaptureState()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) SaveState(writer);
        return stream.ToArray();
    }

    /// <summary>Restores a copy taken by <see cref="CaptureState"/>.</summary>
    /// <param name="state">Bytes returned by <see cref="CaptureState"/> of an optimizer with the same groups and shapes.</param>
    public void RestoreState(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var reader = new BinaryReader(new MemoryStream(state, writable: false), Encoding.UTF8);
        LoadState(reader);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the optimizer's state; override to release native tensors the optimizer owns.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>, false from a finalizer.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
