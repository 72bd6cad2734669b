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
        if (xb.shape.Length == 0 || yb.shape.Length == 0 || xb.shape[0] != yb.shape[0])
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
    public int Size => (int)Xb.shape[0];

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
