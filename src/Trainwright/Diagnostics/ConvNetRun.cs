namespace Trainwright.Diagnostics;

/// <summary>The lesson's 4-layer convnet under one initialisation (part (b) of the init study).</summary>
/// <param name="Init">Name of the initialisation.</param>
/// <param name="Layers">Output statistics of every module of the net, in forward order.</param>
/// <param name="OutputStd">Standard deviation of the net's output.</param>
/// <param name="FirstLayerGradStd">Standard deviation of the first conv's weight gradient after an MSE backward.</param>
/// <param name="ReferenceOutputStd">The lesson's output std for this init (approximate), or null.</param>
/// <param name="ReferenceGradStd">The lesson's first-layer gradient std for this init (approximate), or null.</param>
public sealed record ConvNetRun(string Init, IReadOnlyList<LayerStat> Layers, double OutputStd, double FirstLayerGradStd,
    double? ReferenceOutputStd, double? ReferenceGradStd);
