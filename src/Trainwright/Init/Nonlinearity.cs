namespace Trainwright.Init;

/// <summary>The function that follows a layer; it decides the gain an initialisation must apply to keep the variance.</summary>
public enum Nonlinearity
{
    /// <summary>No nonlinearity (identity); gain 1.</summary>
    Linear,

    /// <summary>A convolution with nothing after it; gain 1.</summary>
    Conv,

    /// <summary>Logistic sigmoid; gain 1.</summary>
    Sigmoid,

    /// <summary>Hyperbolic tangent; gain 5/3.</summary>
    Tanh,

    /// <summary>Rectified linear unit; gain √2.</summary>
    ReLU,

    /// <summary>Leaky ReLU with negative slope <c>a</c>; gain √(2/(1+a²)).</summary>
    LeakyReLU,

    /// <summary>Scaled exponential linear unit; gain 3/4.</summary>
    Selu,
}
