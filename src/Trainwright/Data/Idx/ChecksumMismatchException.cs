namespace Trainwright.Data;

/// <summary>A file's SHA-256 differs from the one its checksum list records: the file is corrupt or was replaced.</summary>
public sealed class ChecksumMismatchException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> with both digests (lower-case hex).</summary>
    public ChecksumMismatchException(string path, string expected, string actual)
        : base($"Checksum mismatch for '{path}': expected SHA-256 {expected}, actual {actual}. The file is corrupt or was replaced; restore it from the original source.")
    {
        Path = path;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The file whose content does not match.</summary>
    public string Path { get; }

    /// <summary>The SHA-256 the checksum list records.</summary>
    public string Expected { get; }

    /// <summary>The SHA-256 of the file as found.</summary>
    public string Actual { get; }
}
