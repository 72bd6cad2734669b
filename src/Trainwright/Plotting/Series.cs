namespace Trainwright.Plotting;

/// <summary>One named line of a chart.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">Horizontal values.</param>
/// <param name="Y">Vertical values, one per <paramref name="X"/>.</param>
public sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y);
