namespace Trainwright.Data.Tables;

/// <summary>A fitted FillMissing + Normalize step for one continuous column, from training-split statistics.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Median">Training median of the present values: what missing values become.</param>
/// <param name="Mean">Training mean after filling.</param>
/// <param name="Std">Training standard deviation after filling (population, plus 1e-7 so a constant column stays finite).</param>
public sealed record ContinuousColumn(string Name, double Median, double Mean, double Std);
