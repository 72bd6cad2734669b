namespace Trainwright.Data.Tables;

/// <summary>One column's role and what was seen in it, as decided by <see cref="TabularData.Load"/>.</summary>
/// <param name="Name">Column name (date parts are named <c>date_Year</c> etc.).</param>
/// <param name="Role">What the column is used for.</param>
/// <param name="Kind">What its values read as.</param>
/// <param name="Missing">Missing values among the rows used (after rows without a target were dropped).</param>
/// <param name="Cardinality">Distinct present values (capped at <see cref="TableColumn.DistinctCap"/> + 1 for numbers).</param>
/// <param name="Reason">Why it got its role: "given", or the inference rule that decided it.</param>
public sealed record ColumnInfo(string Name, ColumnRole Role, ColumnKind Kind, int Missing, int Cardinality, string Reason)
{
    /// <summary>e.g. <c>age: continuous (numbers; 12 missing)</c>.</summary>
    public override string ToString() =>
        $"{Name}: {Role.ToString().ToLowerInvariant()} ({Reason}{(Role == ColumnRole.Categorical ? $", {Cardinality} values" : "")}{(Missing > 0 ? $", {Missing} missing" : "")})";
}
