using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Trainwright.Distributed;

/// <summary>
/// Averages gradients over processes with one all-reduce per element type per step: the gradients are copied into one
/// flat buffer (the same as concatenating them), the buffer is summed over processes and divided by their number, and
/// each gradient is copied back from its slice. One large message costs far less than one per parameter (each MPI call
/// pays a fixed latency). The buffer is kept and reused while the parameters' sizes stay the same.
/// </summary>
internal sealed class GradientBucket : IDisposable
{
    private readonly Dictionary<ScalarType, Tensor> buffers = [];

    /// <summary>Elements in the buffers (all element types).</summary>
    public long Elements => buffers.Values.Sum(b => b.NumberOfElements);

    /// <summary>Time spent inside the all-reduce calls, summed over steps.</summary>
    public TimeSpan AllReduceTime { get; private set; }

    /// <summary>Steps averaged so far.</summary>
    public int Steps { get; private set; }

    /// <summary>Replaces each parameter's gradient with its mean over the processes of <paramref name="communicator"/>.</summary>
    /// <exception cref="InvalidOperationException">A parameter has no gradient (it took no part in this step's loss).</exception>
    public void Average(IReadOnlyList<Parameter> parameters, ICommunicator communicator)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < parameters.Count; i++)
            if (parameters[i].grad is null)
                throw new InvalidOperationException(
                    $"Trainable parameter #{i} (shape [{string.Join(", ", parameters[i].shape)}]) has no gradient on rank {communicator.Rank}: "
                    + "every parameter that requires a gradient must take part in every step's loss, on every process. Freeze unused ones (requires_grad = false) on all processes.");
        foreach (var group in parameters.GroupBy(p => p.dtype))
        {
            var members = group.ToList();
            long total = members.Sum(p => p.NumberOfElements);
            var flat = BufferFor(group.Key, total);
            long offset = 0;
            foreach (var p in members)
            {
                long n = p.NumberOfElements;
                flat.narrow(0, offset, n).copy_(p.grad!.reshape(n));
                offset += n;
            }
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            communicator.AllReduce(flat, ReduceOp.Sum);
            AllReduceTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
            flat.div_(communicator.Size);
            offset = 0;
            foreach (var p in members)
            {
                long n = p.NumberOfElements;
                p.grad!.copy_(flat.narrow(0, offset, n).view(p.grad!.shape));
                offset += n;
            }
        }
        Steps++;
    }

    private Tensor BufferFor(ScalarType dtype, long elements)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new NotSupportedException($"Gradients of {dtype} cannot be averaged over MPI here; train in float32 or float64.");
        if (buffers.TryGetValue(dtype, out var existing) && existing.NumberOfElements == elements) return existing;
        existing?.Dispose();
        var made = empty(elements, dtype: dtype);
        made.DetachFromDisposeScope(); // kept across steps, outside the step's scope
        buffers[dtype] = made;
        return made;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var b in buffers.Values) b.Dispose();
        buffers.Clear();
    }
}
