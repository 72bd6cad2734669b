namespace Trainwright.Data.Images;

/// <summary>How an image of any shape becomes a square of the size trained at (fastai's resize methods).</summary>
public enum ResizeMethod
{
    /// <summary>Stretch the whole image to the square, changing its aspect ratio.</summary>
    Squish,
    /// <summary>Scale the short side to the square and cut the centre out of the long side.</summary>
    Crop,
    /// <summary>Scale the long side to the square and fill the rest with black, centred.</summary>
    Pad,
}
