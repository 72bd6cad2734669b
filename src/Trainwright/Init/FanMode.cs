namespace Trainwright.Init;

/// <summary>Which fan a Kaiming initialisation normalises by.</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass (divide by fan-in).</summary>
    FanIn,

    /// <summary>Preserve the variance of gradients in the backward pass (divide by fan-out).</summary>
    FanOut,
}
