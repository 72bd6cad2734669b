namespace Trainwright.Inference;

/// <summary>A model file cannot be used: not a model file, damaged, too new, or its model cannot be rebuilt.</summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Creates the exception with a one-line message saying what is wrong and what to do.</summary>
    public ModelFileException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ModelFileException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a default message.</summary>
    public ModelFileException() : base("The model file cannot be used.") { }
}
