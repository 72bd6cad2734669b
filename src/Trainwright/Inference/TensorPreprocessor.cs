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
        using var x = ToRawScale(rawBatch);
        return Input.Normalize is { } n ? n.Apply(x) : x.clone();
    }

    /// <inheritdoc />
    public Tensor ToRawScale(Tensor rawBatch)
    {
        ArgumentNullException.ThrowIfNull(rawBatch);
        CheckBatchShape(rawBatch);
        return rawBatch.to_type(ScalarType.Float32);
    }

    private void CheckBatchShape(Tensor batch)
    {
        var shape = batch.shape;
        bool fits = shape.Length == Input.Shape.Count + 1;
        for (int i = 1; fits && i < shape.Length; i++) fits = shape[i] == Input.Shape[i - 1];
        if (!fits)
            throw new ArgumentException(
                $"Wrong input shape [{string.Join(", ", shape)}]: the model takes items of shape {Input.ShapeText}, as a batch [N, {string.Join(", ", Input.Shape)}].");
    }
}
