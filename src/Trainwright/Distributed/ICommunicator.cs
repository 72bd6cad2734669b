using static TorchSharp.torch;

namespace Trainwright.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, over a fixed group of processes numbered 0 … Size-1. Every
/// process of the group must make the same calls in the same order with buffers of the same length and element type;
/// a call returns once every process has made it. <see cref="Mpi"/> implements it over MPI, and
/// <see cref="SingleProcessCommunicator"/> for a group of one.
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's number in the group, from 0.</summary>
    int Rank { get; }

    /// <summary>Number of processes in the group.</summary>
    int Size { get; }

    /// <summary>Replaces every element of <paramref name="buffer"/> with its <paramref name="op"/> over all processes, in
    /// place. The tensor must be on the CPU, contiguous, and float32, float64 or int64.</summary>
    void AllReduce(Tensor buffer, ReduceOp op);

    /// <summary>Replaces every element of <paramref name="values"/> with its <paramref name="op"/> over all processes, in
    /// place. <typeparamref name="T"/> is <see cref="float"/>, <see cref="double"/> or <see cref="long"/>.</summary>
    void AllReduce<T>(T[] values, ReduceOp op) where T : unmanaged;

    /// <summary>Overwrites <paramref name="buffer"/> on every process with its contents on <paramref name="root"/>. The tensor
    /// must be on the CPU, contiguous, and float32, float64 or int64.</summary>
    void Broadcast(Tensor buffer, int root);

    /// <summary>Overwrites <paramref name="values"/> on every process with its contents on <paramref name="root"/>.
    /// <typeparamref name="T"/> is <see cref="byte"/>, <see cref="float"/>, <see cref="double"/> or <see cref="long"/>.</summary>
    void Broadcast<T>(T[] values, int root) where T : unmanaged;

    /// <summary>Returns once every process has called it.</summary>
    void Barrier();
}
