namespace Trainwright.Bench;

/// <summary>A measured figure that is not an A/B ratio (memory growth, throughput, a time to accuracy).</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Value">The figure, formatted with its unit.</param>
/// <param name="Baseline">What it is reported beside, formatted with its unit ("" when nothing).</param>
/// <param name="Goal">The goal as text ("" when none).</param>
/// <param name="GoalMet">Whether the goal holds (null when there is none).</param>
public sealed record Figure(string Name, string Value, string Baseline, string Goal, bool? GoalMet);
