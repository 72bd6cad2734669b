namespace Trainwright.Data.Images;

/// <summary>Which part of the data an image belongs to.</summary>
public enum ImageSplit
{
    /// <summary>Training images.</summary>
    Train,
    /// <summary>Validation images.</summary>
    Valid,
    /// <summary>Held-out test images.</summary>
    Test,
}
