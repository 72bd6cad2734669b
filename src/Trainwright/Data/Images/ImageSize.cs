namespace Trainwright.Data.Images;

/// <summary>Width and height of an image in pixels, as it is displayed (after its EXIF orientation).</summary>
public readonly record struct ImageSize(int Width, int Height)
{
    /// <summary>Number of pixels.</summary>
    public long Pixels => (long)Width * Height;

    /// <inheritdoc />
    public override string ToString() => $"{Width}x{Height}";
}
