namespace Trainwright.Inference;

/// <summary>Finds the preprocessing implementation for an input description.</summary>
public static class InputPreprocessors
{
    /// <summary>
    /// The preprocessor for <paramref name="input"/>. Tensor input: shape check, float32, normalisation. Image input
    /// given as decoded tensors [N, C, H, W] in [0, 1] takes the same path; decoding and resizing image files is done
    /// by the image data code (Data/Images), which plugs in here.
    /// </summary>
    /// <exception cref="NotSupportedException">Table input, which has no inference path yet.</exception>
    public static IInputPreprocessor For(InputDescription input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind switch
        {
            InputKind.Tensor or InputKind.Image => new TensorPreprocessor(input),
            _ => throw new NotSupportedException($"Predicting from {input.Kind} input is not supported yet; only tensor and decoded image input are."),
        };
    }
}
