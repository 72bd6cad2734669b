namespace Trainwright.Inference;

/// <summary>How an image of another size is brought to the training size (fastai's names).</summary>
public enum ResizeMethod
{
    /// <summary>Stretch to the target size, ignoring the aspect ratio.</summary>
    Squish,

    /// <summary>Scale the shorter side to the target, then cut the centre.</summary>
    Crop,

    /// <summary>Scale the longer side to the target, then pad the rest with zeros.</summary>
    Pad,
}
