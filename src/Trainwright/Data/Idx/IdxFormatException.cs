namespace Trainwright.Data;

/// <summary>An IDX file could not be read because its content breaks the format; the message names the file and the problem.</summary>
public sealed class IdxFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> with a description of the problem.</summary>
    public IdxFormatException(string path, string problem, Exception? inner = null)
        : base($"IDX file '{path}': {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file that failed to read.</summary>
    public string Path { get; }

    /// <summary>What was wrong, without the file name.</summary>
    public string Problem { get; }
}
