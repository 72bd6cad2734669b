namespace Trainwright.Data.Tables;

/// <summary>
/// A table that cannot be used as given: a ragged row, a non-numeric value in a continuous column, a missing target
/// column, a single class, an empty or binary file… The message is one line that says what is wrong and what to do,
/// fit to show a user as it is.
/// </summary>
public sealed class TabularDataException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public TabularDataException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line message and the error that caused it.</summary>
    public TabularDataException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a generic message.</summary>
    public TabularDataException() : base("The table cannot be used.") { }
}
