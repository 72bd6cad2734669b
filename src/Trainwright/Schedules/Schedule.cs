namespace Trainwright.Schedules;

/// <summary>A hyperparameter value as a function of the position in training, from 0 (start) to 1 (end).</summary>
/// <param name="position">Fraction of training done, in [0, 1].</param>
public delegate double Schedule(double position);
