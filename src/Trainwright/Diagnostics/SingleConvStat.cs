namespace Trainwright.Diagnostics;

/// <summary>Output statistics of one Conv2d(1, 32, 5) under one initialisation (part (a) of the init study).</summary>
/// <param name="Setting">What was initialised how, and whether a ReLU follows.</param>
/// <param name="Mean">Mean of the output on the batch.</param>
/// <param name="Std">Standard deviation of the output on the batch.</param>
/// <param name="ReferenceStd">The lesson's figure for the same setting (PyTorch 1.0, unseeded, approximate), or null.</param>
public sealed record SingleConvStat(string Setting, double Mean, double Std, double? ReferenceStd);
