namespace Trainwright.Data.Tables;

/// <summary>What a tabular model predicts.</summary>
public enum TabularTask
{
    /// <summary>A class (cross entropy over the target's distinct values).</summary>
    Classify,

    /// <summary>A real number (mean squared error on the normalised target).</summary>
    Regress,
}
