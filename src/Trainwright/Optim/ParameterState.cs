using static TorchSharp.torch;

namespace Trainwright.Optim;

/// <summary>What a <see cref="StatefulOptimizer"/> keeps for one parameter between steps.</summary>
public sealed class ParameterState : IDisposable
{
    internal ParameterState(int bufferCount) => Buffers = new Tensor?[bufferCount];

    /// <summary>How many updates this parameter has received (Adam's bias correction needs it).</summary>
    public long StepCount { get; set; }

    /// <summary>
    /// The optimizer's named buffers for this parameter (e.g. momentum), in the order of
    /// <see cref="StatefulOptimizer.BufferNames"/>; null until the first step that needs them. Saved and loaded.
    /// </summary>
    public Tensor?[] Buffers { get; }

    /// <summary>Working memory reused from step to step so a step allocates nothing; never saved.</summary>
    public Tensor? Scratch { get; set; }

    /// <summary>Buffer <paramref name="index"/>, created as zeros shaped like <paramref name="like"/> on first use.</summary>
    public Tensor Buffer(int index, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Buffers[index] ??= zeros_like(like).DetachFromDisposeScope();
    }

    /// <summary><see cref="Scratch"/>, created shaped like <paramref name="like"/> on first use.</summary>
    public Tensor ScratchLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Scratch ??= empty_like(like).DetachFromDisposeScope();
    }

    /// <summary>Replaces the saved part of the state (buffers and step count), disposing the old buffers.</summary>
    /// <summary>Makes <paramref name="buffer"/> buffer <paramref name="index"/>, freeing the one it replaces.</summary>
    internal void Adopt(int index, Tensor buffer)
    {
        if (!ReferenceEquals(Buffers[index], buffer)) Buffers[index]?.Dispose();
        Buffers[index] = buffer;
    }

    internal void Replace(long stepCount, Tensor?[] buffers)
    {
        StepCount = stepCount;
        for (int i = 0; i < Buffers.Length; i++)
        {
            Buffers[i]?.Dispose();
            Buffers[i] = buffers[i];
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        for (int i = 0; i < Buffers.Length; i++)
        {
            Buffers[i]?.Dispose();
            Buffers[i] = null;
        }
        Scratch?.Dispose();
        Scratch = null;
    }
}
