namespace Trainwright.Data.Tables;

/// <summary>What a column is used for.</summary>
public enum ColumnRole
{
    /// <summary>The column the model predicts.</summary>
    Target,

    /// <summary>A categorical input: each distinct value gets an embedding.</summary>
    Categorical,

    /// <summary>A continuous input: filled, normalised, fed as a number.</summary>
    Continuous,

    /// <summary>A date, replaced by its parts (year, month, day, day of week, day of year, elapsed).</summary>
    Date,

    /// <summary>The column that says which rows are for validation.</summary>
    Split,

    /// <summary>Not used.</summary>
    Ignored,
}
