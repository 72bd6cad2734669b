using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>
/// One mini-batch: inputs <see cref="Xb"/> and targets <see cref="Yb"/>. The batch owns both tensors;
/// whoever consumes it (usually the Learner) disposes it when the batch is done.
/// </summary>
public sealed class Batch : IDisposable
{
    /// <summary>Creates a batch that takes ownership of both tensors.</summary>
    public Batch(Tensor xb, Tensor yb)
    {
        ArgumentNullException.ThrowIfNull(xb);
        ArgumentNullException.ThrowIfNull(yb);
        // Dimensions and size(0) are single native calls; `shape` marshals a new array each time, which is
        // measurable once per batch.
        if (xb.Dimensions == 0 || yb.Dimensions == 0 || xb.size(0) != yb.size(0))
            throw new ArgumentException(
                $"A batch needs inputs and targets with the same first dimension; got inputs [{string.Join(", ", xb.shape)}] and targets [{string.Join(", ", yb.shape)}].");
        Xb = xb;
        Yb = yb;
    }

    /// <summary>Inputs, batch first.</summary>
    public Tensor Xb { get; }

    /// <summary>Targets, batch first.</summary>
    public Tensor Yb { get; }

    /// <summary>Number of items in the batch (the first dimension).</summary>
    public int Size => (int)Xb.size(0);

    /// <summary>Moves the batch out of every dispose scope so it outlives the scope it was made in.</summary>
    public Batch Detach()
    {
        Xb.MoveToOuterDisposeScope();
        Yb.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Xb.Dispose();
        Yb.Dispose();
    }
}
