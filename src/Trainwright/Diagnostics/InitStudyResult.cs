namespace Trainwright.Diagnostics;

// The init study's result records, together: they are only ever read as one report.

/// <summary>Everything the lesson-9 init study measured.</summary>
/// <param name="Seed">The seed used.</param>
/// <param name="BatchShape">Shape of the image batch.</param>
/// <param name="SingleConv">Part (a): one Conv2d under several inits.</param>
/// <param name="ConvNet">Part (b): the 4-layer convnet under several inits.</param>
/// <param name="MatMul">Part (c): 100 repeated matrix multiplies.</param>
public sealed record InitStudyResult(int Seed, IReadOnlyList<long> BatchShape, IReadOnlyList<SingleConvStat> SingleConv,
    IReadOnlyList<ConvNetRun> ConvNet, IReadOnlyList<MatMulRun> MatMul);

/// <summary>Output statistics of one Conv2d(1, 32, 5) under one initialisation (part (a) of the init study).</summary>
/// <param name="Setting">What was initialised how, and whether a ReLU follows.</param>
/// <param name="Mean">Mean of the output on the batch.</param>
/// <param name="Std">Standard deviation of the output on the batch.</param>
/// <param name="ReferenceStd">The lesson's figure for the same setting (PyTorch 1.0, unseeded, approximate), or null.</param>
public sealed record SingleConvStat(string Setting, double Mean, double Std, double? ReferenceStd);

/// <summary>The lesson's 4-layer convnet under one initialisation (part (b) of the init study).</summary>
/// <param name="Init">Name of the initialisation.</param>
/// <param name="Layers">Output statistics of every module of the net, in forward order.</param>
/// <param name="OutputStd">Standard deviation of the net's output.</param>
/// <param name="FirstLayerGradStd">Standard deviation of the first conv's weight gradient after an MSE backward.</param>
/// <param name="ReferenceOutputStd">The lesson's output std for this init (approximate), or null.</param>
/// <param name="ReferenceGradStd">The lesson's first-layer gradient std for this init (approximate), or null.</param>
public sealed record ConvNetRun(string Init, IReadOnlyList<LayerStat> Layers, double OutputStd, double FirstLayerGradStd,
    double? ReferenceOutputStd, double? ReferenceGradStd);

/// <summary>Output mean and standard deviation of one layer on one forward.</summary>
/// <param name="Name">Layer label, e.g. <c>"0 Conv2d"</c>.</param>
/// <param name="Mean">Mean of the layer's output.</param>
/// <param name="Std">Standard deviation of the layer's output.</param>
public sealed record LayerStat(string Name, double Mean, double Std);

/// <summary>Repeated x ← A·x with one random A (part (c) of the init study).</summary>
/// <param name="Setting">How A was drawn.</param>
/// <param name="WeightStd">Standard deviation of A's entries.</param>
/// <param name="Size">Dimension n of x (A is n×n).</param>
/// <param name="Iterations">How many multiplications were asked for.</param>
/// <param name="FirstNonFiniteIteration">The 1-based iteration at which x first held NaN or ±∞, or null if it never did.</param>
/// <param name="FinalMean">Mean of x after the last multiplication done (NaN once it has blown up).</param>
/// <param name="FinalStd">Std of x after the last multiplication done (NaN once it has blown up).</param>
/// <param name="StdPerIteration">Std of x after each multiplication, up to the first non-finite one.</param>
public sealed record MatMulRun(string Setting, double WeightStd, int Size, int Iterations, int? FirstNonFiniteIteration,
    double FinalMean, double FinalStd, IReadOnlyList<double> StdPerIteration);
