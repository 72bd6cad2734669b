namespace Trainwright.Data.Images;

/// <summary>A file left out of training because it could not be used, and why.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Reason">What was wrong with it, e.g. "is truncated".</param>
public sealed record SkippedImage(string Path, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Reason}";
}
