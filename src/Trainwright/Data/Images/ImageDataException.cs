namespace Trainwright.Data.Images;

/// <summary>
/// An image folder or image file that cannot be used: the message names the file or folder, says what is wrong and
/// what to do, in one line.
/// </summary>
public sealed class ImageDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line: what is wrong with which file or folder, and what to do.</param>
    /// <param name="path">The file or folder concerned, if one.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ImageDataException(string message, string? path = null, Exception? inner = null) : base(message, inner) => Path = path;

    /// <summary>The file or folder concerned, if one.</summary>
    public string? Path { get; }
}
