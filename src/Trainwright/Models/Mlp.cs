using static TorchSharp.torch;

namespace Trainwright.Models;

/// <summary>The lesson's multi-layer perceptron: Linear → ReLU → Linear.</summary>
public static class Mlp
{
    /// <summary>Builds an MLP with one hidden layer (the lesson's is 784 → 50 → 10).</summary>
    /// <param name="inputs">Features per item (e.g. 784 for flattened 28×28 images).</param>
    /// <param name="hidden">Hidden units.</param>
    /// <param name="outputs">Outputs (classes).</param>
    public static nn.Module<Tensor, Tensor> Create(int inputs, int hidden, int outputs)
    {
        Check(inputs, nameof(inputs));
        Check(hidden, nameof(hidden));
        Check(outputs, nameof(outputs));
        return nn.Sequential(("lin1", nn.Linear(inputs, hidden)), ("relu", nn.ReLU()), ("lin2", nn.Linear(hidden, outputs)));
    }

    internal static void Check(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
    }
}
