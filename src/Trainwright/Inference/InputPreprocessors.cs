namespace Trainwright.Inference;

/// <summary>Finds the preprocessing implementation for an input description.</summary>
public static class InputPreprocessors
{
    /// <summary>
    /// The preprocessor for <paramref name="input"/>'s raw batches. Tensor input: shape check, float32, normalisation.
    /// Image input: decoded images (uint8 or [0, 1]) normalised by the images library's
    /// <see cref="Data.Images.ImagePreprocessing.Normalize"/>. Table input: rows already transformed by the stored
    /// <see cref="Data.Tables.TabularPreprocessor"/> ([N, width], codes then values), used as given.
    /// </summary>
    public static IInputPreprocessor For(InputDescription input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind switch
        {
            InputKind.Image => new ImageInputPreprocessor(input),
            InputKind.Tensor or InputKind.Table => new TensorPreprocessor(input),
            _ => throw new NotSupportedException($"Input kind {input.Kind} is unknown to this Trainwright; update it."),
        };
    }
}
