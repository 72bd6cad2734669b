using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Trainwright.Optim;

/// <summary>
/// An optimizer that keeps per-parameter state (named buffers and a step count) and updates each group in one pass.
/// It implements <see cref="Optimizer.Step"/> (under no_grad, with a check for misuse) and
/// <see cref="Optimizer.SaveState"/>/<see cref="Optimizer.LoadState"/> (hyperparameters, step counts, buffers, in the
/// format of <see cref="OptimizerStateFormat"/>) once for every subclass; a subclass only writes <see cref="UpdateGroup"/>.
/// </summary>
public abstract class StatefulOptimizer : Optimizer
{
    private readonly ParameterState[][] states;
    private readonly ReusableScalar[][] constants;
    private bool disposed;

    /// <summary>Creates the optimizer and empty state for every parameter.</summary>
    /// <param name="groups">The parameter groups; a parameter may belong to only one group.</param>
    /// <param name="requiredHypers">Hyperparameters every group must declare (the subclass reads them in each step).</param>
    /// <param name="bufferNames">Names of the per-parameter buffers, e.g. "momentum_buffer" (used in save files and messages).</param>
    protected StatefulOptimizer(IEnumerable<ParamGroup> groups, IReadOnlyList<string> requiredHypers, IReadOnlyList<string> bufferNames)
        : this(groups, requiredHypers, bufferNames, 0)
    {
    }

    /// <summary>As above, for our own optimizers, with reusable native scalars for their in-place ops.</summary>
    /// <param name="groups">The parameter groups; a parameter may belong to only one group.</param>
    /// <param name="requiredHypers">Hyperparameters every group must declare.</param>
    /// <param name="bufferNames">Names of the per-parameter buffers.</param>
    /// <param name="constantsPerGroup">How many reusable native scalars each group's update needs (see <see cref="Constants"/>).</param>
    /// <exception cref="ArgumentException">A group lacks a required hyperparameter, or a parameter appears twice.</exception>
    private protected StatefulOptimizer(IEnumerable<ParamGroup> groups, IReadOnlyList<string> requiredHypers, IReadOnlyList<string> bufferNames,
        int constantsPerGroup)
        : base(groups)
    {
        constants = [.. Groups.Select(_ => Enumerable.Range(0, constantsPerGroup).Select(_ => new ReusableScalar()).ToArray())];
        ArgumentNullException.ThrowIfNull(requiredHypers);
        ArgumentNullException.ThrowIfNull(bufferNames);
        BufferNames = bufferNames.ToArray();
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        for (int g = 0; g < Groups.Count; g++)
        {
            foreach (var name in requiredHypers)
            {
                if (!Groups[g].Has(name))
                    throw new ArgumentException(
                        $"Parameter group {g} does not declare hyperparameter '{name}', which {GetType().Name} needs.", nameof(groups));
            }
            foreach (var p in Groups[g].Parameters)
            {
                if (p is null) throw new ArgumentException($"Parameter group {g} contains a null parameter.", nameof(groups));
                if (!seen.Add(p))
                    throw new ArgumentException(
                        $"A parameter appears twice (again in group {g}); it would be updated twice per step. Give each parameter to one group only.",
                        nameof(groups));
            }
        }
        states = Groups.Select(g => g.Parameters.Select(_ => new ParameterState(BufferNames.Count)).ToArray()).ToArray();
    }

    /// <summary>Names of the per-parameter buffers, in the order of <see cref="ParameterState.Buffers"/>.</summary>
    public IReadOnlyList<string> BufferNames { get; }

    /// <summary>The state of parameter <paramref name="index"/> of group <paramref name="group"/>.</summary>
    public ParameterState StateOf(int group, int index) => states[group][index];

    /// <summary>
    /// Updates every parameter that has a gradient, under no_grad.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// None of the optimizer's parameters has a gradient although some require one: backward() was not called, or the
    /// optimizer was built over other Parameter objects than the ones the model now uses (module.to(device) replaces
    /// them). A parameter without gradient is otherwise skipped, as torch.optim does.
    /// </exception>
    public sealed override void Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        bool anyGradient = false;
        using (no_grad())
        {
            for (int g = 0; g < Groups.Count; g++)
                anyGradient |= UpdateGroup(g, Groups[g], states[g]);
        }
        if (!anyGradient && Parameters.Any(p => p.requires_grad))
            throw new InvalidOperationException(
                $"{GetType().Name}.Step(): none of its {Parameters.Count()} parameters has a gradient. Call backward() on the loss first, " +
                "and build the optimizer over the model's current parameters (moving a module with .to(device) replaces them).");
    }

    /// <summary>
    /// Updates the parameters of one group; called under no_grad. Read the group's hyperparameters once here, not
    /// per parameter, and dispose each gradient handle read from <c>p.grad</c>.
    /// </summary>
    /// <param name="groupIndex">Index of the group in <see cref="Optimizer.Groups"/>.</param>
    /// <param name="group">The group.</param>
    /// <param name="groupStates">The state of each parameter of the group, in the group's order.</param>
    /// <returns>True when at least one parameter of the group had a gradient.</returns>
    protected abstract bool UpdateGroup(int groupIndex, ParamGroup group, ParameterState[] groupStates);

    /// <inheritdoc />
    public override void SaveState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ObjectDisposedException.ThrowIf(disposed, this);
        OptimizerStateFormat.Write(writer, GetType().Name, BufferNames, Groups, states);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">
    /// The data was not written by this kind of optimizer, or its groups, parameter counts, hyperparameter names,
    /// buffer shapes or dtypes differ from this optimizer's. Nothing is changed when this is thrown.
    /// </exception>
    public override void LoadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ObjectDisposedException.ThrowIf(disposed, this);
        var (hypers, loaded) = OptimizerStateFormat.Read(reader, GetType().Name, BufferNames, Groups);
        for (int g = 0; g < hypers.Length; g++)
        {
            foreach (var (name, value) in hypers[g]) Groups[g][name] = value;
            var parameters = Groups[g].Parameters;
            for (int i = 0; i < loaded[g].Length; i++)
            {
                var (step, buffers) = loaded[g][i];
                for (int b = 0; b < buffers.Length; b++)
                {
                    var cpu = buffers[b];
                    if (cpu is null || cpu.device == parameters[i].device) continue;
                    buffers[b] = cpu.to(parameters[i].device).DetachFromDisposeScope();
                    cpu.Dispose();
                }
                states[g][i].Replace(step, buffers);
            }
        }
    }

    /// <summary>The reusable native scalars of group <paramref name="groupIndex"/>, remade only when their value changes.</summary>
    private protected ReusableScalar[] Constants(int groupIndex) => constants[groupIndex];

    private protected ParameterState[] StatesOf(int groupIndex) => states[groupIndex];

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposed && disposing)
        {
            foreach (var group in states)
                foreach (var state in group) state.Dispose();
            foreach (var group in constants)
                foreach (var c in group) c.Dispose();
        }
        disposed = true;
        base.Dispose(disposing);
    }
}
