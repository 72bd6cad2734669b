using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Trainwright.Hooks;

/// <summary>Picks the modules of a model to hook or re-initialise, in the order a sequential forward visits them.</summary>
public static class LayerSelection
{
    /// <summary>
    /// Every module of <paramref name="model"/> (the model itself first, then its descendants depth-first in registration
    /// order, which for <c>Sequential</c> is forward order) that takes and returns one tensor and satisfies
    /// <paramref name="predicate"/>.
    /// </summary>
    /// <param name="model">The model to walk.</param>
    /// <param name="predicate">Which modules to keep.</param>
    public static IReadOnlyList<NamedModule> Where(nn.Module model, Func<nn.Module, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(predicate);
        var found = new List<NamedModule>();
        Visit(model, "", predicate, found);
        return found;
    }

    /// <summary>Every <see cref="Linear"/> and convolution (Conv1d/2d/3d and transposed) in forward order.</summary>
    /// <param name="model">The model to walk.</param>
    public static IReadOnlyList<NamedModule> WeightLayers(nn.Module model) =>
        Where(model, m => m is Linear or Convolution);

    /// <summary>Every <see cref="Conv2d"/> in forward order.</summary>
    /// <param name="model">The model to walk.</param>
    public static IReadOnlyList<NamedModule> Conv2dLayers(nn.Module model) => Where(model, m => m is Conv2d);

    private static void Visit(nn.Module module, string name, Func<nn.Module, bool> predicate, List<NamedModule> found)
    {
        if (module is nn.Module<Tensor, Tensor> single && predicate(module)) found.Add(new NamedModule(name, single));
        foreach (var (childName, child) in module.named_children())
            Visit(child, name.Length == 0 ? childName : $"{name}.{childName}", predicate, found);
    }
}
