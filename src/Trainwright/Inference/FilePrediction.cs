namespace Trainwright.Inference;

/// <summary>The prediction for one image file of a batch, or why the file could not be used.</summary>
/// <param name="Path">The file as given.</param>
/// <param name="Prediction">The prediction, or null when the file is not a usable image.</param>
/// <param name="Error">One line saying what is wrong with the file (null when predicted).</param>
public sealed record FilePrediction(string Path, Prediction? Prediction, string? Error)
{
    /// <summary>True when the file was predicted.</summary>
    public bool Succeeded => Prediction is not null;
}
