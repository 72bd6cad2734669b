namespace Trainwright.Diagnostics;

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
