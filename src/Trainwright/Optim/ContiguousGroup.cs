using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Trainwright.Optim;

/// <summary>
/// One parameter group laid out in three contiguous tensors: the parameters' values, their gradients and one state
/// buffer (momentum). Each parameter of the module stays the same object but becomes a view into the values (and its
/// gradient a view into the gradients), so an optimizer updates the whole group with a few native calls instead of a
/// few per parameter. Every call through TorchSharp costs about a microsecond; for the lesson's MLP this takes the SGD
/// step and gradient reset from about 40 µs to about 15 µs a batch (docs/benchmarks.md).
/// </summary>
/// <remarks>
/// Anything that gives a parameter new storage (loading weights by replacement, <c>set_</c>), replaces or removes its
/// gradient, replaces its state buffer or turns <c>requires_grad</c> off breaks the layout. <see cref="Holds"/> checks
/// all of that before each use (about a microsecond a parameter), and the optimizer then updates parameter by parameter
/// or lays the group out again, so the layout is only ever a shortcut, never a change in what the update computes.
/// Only float32 groups of at least two parameters that all have gradients on one device are laid out.
/// </remarks>
internal sealed class ContiguousGroup : IDisposable
{
    private readonly Parameter[] parameters;
    private readonly Tensor[] stateViews;
    private readonly long[] offsets;
    private readonly IntPtr valuesBase, gradsBase;
    private readonly int bufferIndex;

    private ContiguousGroup(Parameter[] parameters, Tensor values, Tensor grads, Tensor state, Tensor[] stateViews, long[] offsets, int bufferIndex)
    {
        this.parameters = parameters;
        Values = values;
        Grads = grads;
        State = state;
        this.stateViews = stateViews;
        this.offsets = offsets;
        this.bufferIndex = bufferIndex;
        using var scope = NewDisposeScope();
        valuesBase = values.storage<float>().data_ptr();
        gradsBase = grads.storage<float>().data_ptr();
    }

    /// <summary>Every parameter's values, end to end.</summary>
    public Tensor Values { get; }

    /// <summary>Every parameter's gradient, in the same order.</summary>
    public Tensor Grads { get; }

    /// <summary>The state buffer of every parameter (e.g. SGD's momentum), in the same order.</summary>
    public Tensor State { get; }

    /// <summary>
    /// Lays out <paramref name="group"/>'s parameters, gradients and state buffer <paramref name="bufferIndex"/>
    /// (copying what they hold), or returns null when the group does not qualify.
    /// </summary>
    public static ContiguousGroup? TryCreate(IReadOnlyList<Parameter> group, ParameterState[] states, int bufferIndex)
    {
        if (group.Count < 2) return null;
        var device = group[0].device;
        var (deviceType, deviceIndex) = (group[0].device_type, group[0].device_index);
        long total = 0;
        foreach (var p in group)
        {
            if (!p.requires_grad || p.dtype != ScalarType.Float32 || p.is_sparse || p.device_type != deviceType || p.device_index != deviceIndex) return null;
            using var g = p.grad;
            if (g is null || g.dtype != ScalarType.Float32 || g.is_sparse) return null;
            total += p.numel();
        }

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var values = empty(total, ScalarType.Float32, device);
        var grads = empty(total, ScalarType.Float32, device);
        var state = zeros(total, ScalarType.Float32, device);
        var offsets = new long[group.Count];
        var stateViews = new Tensor[group.Count];
        long offset = 0;
        for (int i = 0; i < group.Count; i++)
        {
            var p = group[i];
            long n = p.numel();
            var shape = p.shape;
            offsets[i] = offset;
            values.narrow(0, offset, n).copy_(p.reshape(-1));
            p.set_(values.narrow(0, offset, n).view(shape));
            using (var g = p.grad!)
                grads.narrow(0, offset, n).copy_(g.reshape(-1));
            p.grad = grads.narrow(0, offset, n).view(shape);
            if (states[i].Buffers[bufferIndex] is { } old) state.narrow(0, offset, n).copy_(old.reshape(-1));
            stateViews[i] = state.narrow(0, offset, n).view(shape).DetachFromDisposeScope();
            states[i].Adopt(bufferIndex, stateViews[i]);
            offset += n;
        }
        return new ContiguousGroup([.. group], values.DetachFromDisposeScope(), grads.DetachFromDisposeScope(), state.DetachFromDisposeScope(),
            stateViews, offsets, bufferIndex);
    }

    /// <summary>
    /// True while every parameter of <paramref name="group"/> still lives in <see cref="Values"/>, still requires a
    /// gradient that lives in <see cref="Grads"/>, and (unless <paramref name="gradientsOnly"/>) still has its state
    /// buffer in <see cref="State"/>.
    /// </summary>
    public bool Holds(IReadOnlyList<Parameter> group, ParameterState[] states, bool gradientsOnly = false)
    {
        if (group.Count != parameters.Length) return false;
        // Each storage read makes a native alias of its tensor: free them here, not at the caller's scope or finalizer.
        using var scope = NewDisposeScope();
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (!ReferenceEquals(group[i], p) || !p.requires_grad) return false;
            if (!gradientsOnly && (!ReferenceEquals(states[i].Buffers[bufferIndex], stateViews[i]) || !Lives(p, valuesBase, offsets[i]))) return false;
            using var g = p.grad;
            if (g is null || !Lives(g, gradsBase, offsets[i])) return false;
        }
        return true;
    }

    private static bool Lives(Tensor t, IntPtr storageBase, long offset) =>
        t.dtype == ScalarType.Float32 && t.storage_offset() == offset && t.storage<float>().data_ptr() == storageBase;

    /// <summary>Frees the three tensors' handles; parameters, gradients and state buffers keep the memory they view.</summary>
    public void Dispose()
    {
        Values.Dispose();
        Grads.Dispose();
        State.Dispose();
    }
}
