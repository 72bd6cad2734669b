using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>Checks the item shape, converts to float32 and applies the description's normalisation.</summary>
public sealed class TensorPreprocessor : IInputPreprocessor
{
    /// <summary>Creates the preprocessor for <paramref name="input"/>.</summary>
    public TensorPreprocessor(InputDescription input)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Validate();
        Input = input;
    }

    /// <inheritdoc />
    public InputDescription Input { get; }

    /// <inheritdoc />
    public Tensor PrepareBatch(Tensor rawBatch)
    {
        ArgumentNullException.ThrowIfNull(rawBatch);
        var x = ToRawScale(rawBatch);
        try
        {
            return Input.Normalize is { } n ? n.Apply(x) : x.clone();
        }
        finally
        {
            if (!ReferenceEquals(x, rawBatch)) x.Dispose();
        }
    }

    /// <inheritdoc />
    public Tensor ToRawScale(Tensor rawBatch)
    {
        ArgumentNullException.ThrowIfNull(rawBatch);
        CheckBatchShape(rawBatch);
        return rawBatch.dtype == ScalarType.Float32 ? rawBatch : rawBatch.to_type(ScalarType.Float32);
    }

    private void CheckBatchShape(Tensor batch)
    {
        // dim() and size(i) rather than shape: on the per-call path, reading shape costs more than a small model's layer.
        bool fits = batch.dim() == Input.Shape.Count + 1;
        for (int i = 1; fits && i <= Input.Shape.Count; i++) fits = batch.size(i) == Input.Shape[i - 1];
        if (!fits)
            throw new ArgumentException(
                $"Wrong input shape [{string.Join(", ", batch.shape)}]: the model takes items of shape {Input.ShapeText}, as a batch [N, {string.Join(", ", Input.Shape)}].");
    }
}
