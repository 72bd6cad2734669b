namespace Trainwright.Runtime;

/// <summary>One choice of <see cref="ThreadCountChooser"/>.</summary>
/// <param name="Iteration">How many training batches the chooser had seen when it chose.</param>
/// <param name="Current">The thread count in use before.</param>
/// <param name="CurrentSeconds">Mean seconds a batch at <paramref name="Current"/>.</param>
/// <param name="Other">The count tried against it.</param>
/// <param name="OtherSeconds">Mean seconds a batch at <paramref name="Other"/>.</param>
/// <param name="Chosen">The count kept.</param>
public sealed record ThreadChoice(int Iteration, int Current, double CurrentSeconds, int Other, double OtherSeconds, int Chosen);
