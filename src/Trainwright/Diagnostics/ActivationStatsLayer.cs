using Trainwright.Hooks;
namespace Trainwright.Diagnostics;

/// <summary>
/// What <see cref="ActivationStats"/> recorded for one hooked layer: one <see cref="ForwardStats"/> per training batch,
/// oldest first. Plain numbers only; nothing here holds a tensor.
/// </summary>
public sealed class ActivationStatsLayer
{
    private readonly List<ForwardStats> records = [];

    internal ActivationStatsLayer(string name) => Name = name;

    /// <summary>The layer's dotted path in the model followed by its type, e.g. <c>"relu0 (ReLU)"</c>.</summary>
    public string Name { get; }

    /// <summary>One entry per training batch (per forward of the layer, should a model call it twice).</summary>
    public IReadOnlyList<ForwardStats> Records => records;

    /// <summary>Mean of the layer's output, per batch.</summary>
    public IReadOnlyList<double> Means => [.. records.Select(r => r.Mean)];

    /// <summary>Standard deviation of the layer's output, per batch.</summary>
    public IReadOnlyList<double> Stds => [.. records.Select(r => r.Std)];

    /// <summary>Fraction of the layer's outputs near zero, per batch.</summary>
    public IReadOnlyList<double> NearZeroFractions => [.. records.Select(r => r.NearZeroFraction)];

    internal void Add(ForwardStats stats) => records.Add(stats);

    internal void Clear() => records.Clear();
}
