using Trainwright.Distributed;
using static TorchSharp.torch;

namespace Trainwright.Tests.Distributed;

/// <summary>
/// Plays this process plus one imagined other process whose contributions are known, so the callback's arithmetic can be
/// checked in-process: in a sum over tensors the other process holds this one's values plus <see cref="OtherTensorValue"/>;
/// in sums over arrays it holds the same values as this one; in a max over long arrays it holds this one's value plus
/// <see cref="OtherLongExcess"/>; a tensor broadcast from another rank arrives filled with <see cref="BroadcastValue"/>.
/// </summary>
internal sealed class FakeCommunicator(int rank) : ICommunicator
{
    public double OtherTensorValue { get; init; }
    public long OtherLongExcess { get; init; }
    public double BroadcastValue { get; init; }
    public int TensorAllReduces { get; private set; }

    public int Rank => rank;
    public int Size => 2;

    public void AllReduce(Tensor buffer, ReduceOp op)
    {
        Assert.Equal(ReduceOp.Sum, op);
        Assert.True(buffer.is_contiguous());
        buffer.mul_(2).add_(OtherTensorValue);
        TensorAllReduces++;
    }

    public void AllReduce<T>(T[] values, ReduceOp op) where T : unmanaged
    {
        switch (values, op)
        {
            case (double[] d, ReduceOp.Sum):
                for (int i = 0; i < d.Length; i++) d[i] *= 2;
                break;
            case (long[] l, ReduceOp.Max):
                for (int i = 0; i < l.Length; i++) l[i] = Math.Max(l[i], l[i] + OtherLongExcess);
                break;
            default:
                throw new NotSupportedException($"{typeof(T).Name} {op} is not simulated.");
        }
    }

    public void Broadcast(Tensor buffer, int root)
    {
        if (root != rank) buffer.fill_(BroadcastValue);
    }

    public void Broadcast<T>(T[] values, int root) where T : unmanaged { }

    public void Barrier() { }
}
