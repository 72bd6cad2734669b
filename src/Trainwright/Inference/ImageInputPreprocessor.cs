using Trainwright.Data.Images;
using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>
/// Image input: files and bytes are decoded by the images library's <see cref="ImagePreprocessing"/> (the decode that
/// filled the training cache), and batches of decoded images are normalised by <see cref="ImagePreprocessing.Normalize"/>,
/// the function the <c>NormalizeImages</c> callback applied to every training batch.
/// </summary>
public sealed class ImageInputPreprocessor : IInputPreprocessor
{
    /// <summary>Creates the preprocessor for an image <paramref name="input"/>.</summary>
    public ImageInputPreprocessor(InputDescription input)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Validate();
        Input = input;
        Image = input.Image ?? throw new ArgumentException("Not an image input description.", nameof(input));
    }

    /// <inheritdoc />
    public InputDescription Input { get; }

    /// <summary>The images library's preprocessing stored in the model file.</summary>
    public ImagePreprocessing Image { get; }

    /// <summary>Decoded images [N, C, size, size]: uint8 0–255 (as <see cref="ImagePreprocessing.Decode"/> makes them) or float on the [0, 1] scale.</summary>
    public Tensor PrepareBatch(Tensor rawBatch)
    {
        CheckBatchShape(rawBatch);
        return Image.Normalize(rawBatch);
    }

    /// <summary>Decoded images as for <see cref="PrepareBatch"/>, as float32 in [0, 1] (<see cref="ImagePreprocessing.ToUnitScale"/>), not normalised.</summary>
    public Tensor ToRawScale(Tensor rawBatch)
    {
        CheckBatchShape(rawBatch);
        return ImagePreprocessing.ToUnitScale(rawBatch);
    }

    private void CheckBatchShape(Tensor rawBatch)
    {
        ArgumentNullException.ThrowIfNull(rawBatch);
        if (rawBatch.dim() != 4 || rawBatch.size(1) != Input.Shape[0] || rawBatch.size(2) != Input.Shape[1] || rawBatch.size(3) != Input.Shape[2])
            throw new ArgumentException(
                $"Wrong input shape [{string.Join(", ", rawBatch.shape)}]: the model takes decoded images [N, {string.Join(", ", Input.Shape)}] (uint8, or float in [0, 1]); give files or bytes to have them decoded and resized.");
    }
}
