using TorchSharp.Modules;

namespace Trainwright.Optim;

/// <summary>
/// A set of parameters that share hyperparameters. Hyperparameters are held by name (see <see cref="Hyper"/>)
/// so a scheduler can read and write any of them, for any group, while training runs.
/// </summary>
public sealed class ParamGroup
{
    private readonly Dictionary<string, double> hypers;

    /// <summary>Creates a group; <paramref name="hypers"/> declares every hyperparameter the optimizer reads.</summary>
    public ParamGroup(IEnumerable<Parameter> parameters, IReadOnlyDictionary<string, double> hypers)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(hypers);
        Parameters = parameters.ToArray();
        this.hypers = new Dictionary<string, double>(hypers, StringComparer.Ordinal);
    }

    /// <summary>The parameters this group updates.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Every hyperparameter of the group with its current value.</summary>
    public IReadOnlyDictionary<string, double> Hypers => hypers;

    /// <summary>Reads or writes a hyperparameter; only names the optimizer declared are accepted.</summary>
    /// <exception cref="KeyNotFoundException">The optimizer has no hyperparameter of that name.</exception>
    public double this[string name]
    {
        get => hypers.TryGetValue(name, out var v) ? v : throw Unknown(name);
        set
        {
            if (!hypers.ContainsKey(name)) throw Unknown(name);
            if (!double.IsFinite(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, $"Hyperparameter '{name}' must be a finite number.");
            hypers[name] = value;
        }
    }

    /// <summary>True when the optimizer declared a hyperparameter of that name.</summary>
    public bool Has(string name) => hypers.ContainsKey(name);

    private KeyNotFoundException Unknown(string name) =>
        new($"This optimizer has no hyperparameter '{name}'. It has: {string.Join(", ", hypers.Keys)}.");
}
