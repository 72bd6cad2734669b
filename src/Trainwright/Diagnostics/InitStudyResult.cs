namespace Trainwright.Diagnostics;

/// <summary>Everything the lesson-9 init study measured.</summary>
/// <param name="Seed">The seed used.</param>
/// <param name="BatchShape">Shape of the image batch.</param>
/// <param name="SingleConv">Part (a): one Conv2d under several inits.</param>
/// <param name="ConvNet">Part (b): the 4-layer convnet under several inits.</param>
/// <param name="MatMul">Part (c): 100 repeated matrix multiplies.</param>
public sealed record InitStudyResult(int Seed, IReadOnlyList<long> BatchShape, IReadOnlyList<SingleConvStat> SingleConv,
    IReadOnlyList<ConvNetRun> ConvNet, IReadOnlyList<MatMulRun> MatMul);
