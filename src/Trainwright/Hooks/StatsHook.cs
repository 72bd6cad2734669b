using static TorchSharp.torch;

namespace Trainwright.Hooks;

/// <summary>A forward hook that records <see cref="ForwardStats"/> of its module's output on every forward.</summary>
public sealed class StatsHook : Hook
{
    private readonly List<ForwardStats> records = [];

    /// <summary>Hooks <paramref name="module"/> and records the statistics of each output.</summary>
    /// <param name="module">The module to observe.</param>
    /// <param name="options">What to measure; <see cref="StatsOptions.Default"/> when null.</param>
    /// <param name="name">Label for reports; defaults to the module's type name.</param>
    public StatsHook(nn.Module<Tensor, Tensor> module, StatsOptions? options = null, string? name = null)
        : base(module, name)
    {
        Options = options ?? StatsOptions.Default;
        Options.Histogram?.Validate();
    }

    /// <summary>What is measured.</summary>
    public StatsOptions Options { get; }

    /// <summary>One entry per observed forward, oldest first.</summary>
    public IReadOnlyList<ForwardStats> Records => records;

    /// <summary>Means of all records, oldest first.</summary>
    public IReadOnlyList<double> Means => records.Select(r => r.Mean).ToList();

    /// <summary>Standard deviations of all records, oldest first.</summary>
    public IReadOnlyList<double> Stds => records.Select(r => r.Std).ToList();

    /// <summary>Forgets all records (the hook stays registered).</summary>
    public void Clear() => records.Clear();

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output) => records.Add(TensorStats.Measure(output, Options));
}
