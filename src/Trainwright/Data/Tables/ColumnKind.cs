namespace Trainwright.Data.Tables;

/// <summary>What the values of a column read as.</summary>
public enum ColumnKind
{
    /// <summary>Every value is missing.</summary>
    Empty,

    /// <summary>Every present value is a culture-invariant number.</summary>
    Numeric,

    /// <summary>Every present value is an ISO date or date-time (yyyy-MM-dd, optionally with a time).</summary>
    Date,

    /// <summary>Anything else: the values are kept as interned strings.</summary>
    Text,
}
