using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Trainwright.Learning;

/// <summary>What a model's first layer expects, for error messages about inputs that do not fit.</summary>
internal static class ModelInputs
{
    /// <summary>
    /// A phrase like <c>; the model's first layer 'layers.0' (Linear) expects 784 input features of type Float32</c>, or the
    /// empty string when the first layer that fixes the input width is neither a linear nor a convolution.
    /// </summary>
    public static string Expectation(nn.Module model)
    {
        try
        {
            foreach (var (name, module) in model.named_modules())
            {
                var label = string.IsNullOrEmpty(name) ? module.GetType().Name : $"'{name}' ({module.GetType().Name})";
                switch (module)
                {
                    case Linear linear:
                        return $"; the model's first layer {label} expects {linear.in_features} input features{OfType(linear)}";
                    case Convolution conv:
                        return $"; the model's first layer {label} expects {conv.in_channels} input channels{OfType(conv)}";
                }
            }
        }
        catch (Exception)
        {
            // Only a hint for a message about another error: never let it hide that error.
        }
        return "";
    }

    private static string OfType(nn.Module module) =>
        module.parameters().FirstOrDefault() is { } p ? $" of type {p.dtype}" : "";
}
