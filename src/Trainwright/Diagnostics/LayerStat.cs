namespace Trainwright.Diagnostics;

/// <summary>Output mean and standard deviation of one layer on one forward.</summary>
/// <param name="Name">Layer label, e.g. <c>"0 Conv2d"</c>.</param>
/// <param name="Mean">Mean of the layer's output.</param>
/// <param name="Std">Standard deviation of the layer's output.</param>
public sealed record LayerStat(string Name, double Mean, double Std);
