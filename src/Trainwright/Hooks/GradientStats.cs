using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Trainwright.Hooks;

/// <summary>Mean and standard deviation of one parameter's gradient.</summary>
/// <param name="Name">Dotted parameter name, e.g. <c>"0.weight"</c>.</param>
/// <param name="Mean">Mean of the gradient.</param>
/// <param name="Std">Standard deviation of the gradient (unbiased).</param>
public sealed record GradientStat(string Name, double Mean, double Std);

/// <summary>
/// Gradient statistics read from <c>.grad</c> after <c>backward()</c> — TorchSharp has no backward module hooks, so this
/// is how the gradients of chosen layers are inspected.
/// </summary>
public static class GradientStats
{
    /// <summary>Statistics of <paramref name="parameter"/>'s gradient.</summary>
    /// <param name="parameter">A parameter after a backward pass.</param>
    /// <param name="name">Label for the result.</param>
    /// <exception cref="InvalidOperationException">The parameter has no gradient yet.</exception>
    public static GradientStat Of(Parameter parameter, string name = "")
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var grad = parameter.grad ?? throw new InvalidOperationException(
            $"Parameter '{name}' has no gradient: call backward() on a loss that depends on it first (and check requires_grad).");
        var (mean, std) = TensorStats.MeanStd(grad);
        return new GradientStat(name, mean, std);
    }

    /// <summary>Statistics of the weight gradient of each module (parameters named <c>weight</c>), in the given order.</summary>
    /// <param name="modules">Modules with a <c>weight</c> parameter, e.g. from <see cref="LayerSelection.WeightLayers"/>.</param>
    /// <exception cref="ArgumentException">A module has no weight parameter.</exception>
    public static IReadOnlyList<GradientStat> OfWeights(IEnumerable<NamedModule> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var result = new List<GradientStat>();
        foreach (var m in modules)
        {
            var weight = Weight(m.Module) ?? throw new ArgumentException(
                $"Module '{m.Name}' ({m.Module.GetType().Name}) has no parameter named 'weight'.", nameof(modules));
            result.Add(Of(weight, m.Name.Length == 0 ? "weight" : $"{m.Name}.weight"));
        }
        return result;
    }

    /// <summary>The module's own parameter named <c>weight</c>, or null.</summary>
    /// <param name="module">Any module.</param>
    public static Parameter? Weight(nn.Module module) => OwnParameter(module, "weight");

    /// <summary>The module's own parameter named <c>bias</c>, or null.</summary>
    /// <param name="module">Any module.</param>
    public static Parameter? Bias(nn.Module module) => OwnParameter(module, "bias");

    private static Parameter? OwnParameter(nn.Module module, string name)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var (n, p) in module.named_parameters(recurse: false))
            if (n == name) return p;
        return null;
    }
}
