namespace Trainwright.Inference;

/// <summary>Everything besides the weights that a model file needs: how to rebuild the model, what it takes, what it predicts.</summary>
/// <param name="Architecture">The model as data (built-in kind or registered factory, and its settings).</param>
/// <param name="Input">Item shape, kind and preprocessing.</param>
/// <param name="Target">Class names or regression outputs.</param>
public sealed record ModelDescription(ModelArchitecture Architecture, InputDescription Input, TargetDescription Target);
