using static TorchSharp.torch;

namespace Trainwright.Distributed;

/// <summary>
/// A group of one process: every collective leaves its buffer as it is (the sum, max or broadcast over one process is
/// the process's own value). Lets code written for a group run unchanged when MPI is not used. Buffers are still checked
/// like <see cref="Mpi"/> checks them, so a mistake shows up without a launcher too.
/// </summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    /// <summary>The one instance.</summary>
    public static SingleProcessCommunicator Instance { get; } = new();

    private SingleProcessCommunicator() { }

    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int Size => 1;

    /// <inheritdoc />
    public void AllReduce(Tensor buffer, ReduceOp op) => TensorMemory.Check(buffer, nameof(buffer));

    /// <inheritdoc />
    public void AllReduce<T>(T[] values, ReduceOp op) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        MpiNative.CheckReducible<T>();
    }

    /// <inheritdoc />
    public void Broadcast(Tensor buffer, int root)
    {
        TensorMemory.Check(buffer, nameof(buffer));
        CheckRoot(root, Size);
    }

    /// <inheritdoc />
    public void Broadcast<T>(T[] values, int root) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        MpiNative.CheckBroadcastable<T>();
        CheckRoot(root, Size);
    }

    /// <inheritdoc />
    public void Barrier() { }

    internal static void CheckRoot(int root, int size)
    {
        if (root < 0 || root >= size)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"The root must be a rank in [0, {size}).");
    }
}
