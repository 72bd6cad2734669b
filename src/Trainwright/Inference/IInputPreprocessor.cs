using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>
/// Turns raw input into what the model takes, from the model file's <see cref="InputDescription"/>. Training and
/// inference share one implementation per input kind, so a prediction sees exactly what training saw. Implementations
/// must be safe to call from several threads at once (they keep no per-call state).
/// </summary>
public interface IInputPreprocessor
{
    /// <summary>The description this preprocessor follows.</summary>
    InputDescription Input { get; }

    /// <summary>
    /// Prepares a batch of raw items [N, …item shape] (any numeric type; images as intensities in [0, 1]) as a new
    /// float32 model input of the same shape.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not have the item shape.</exception>
    Tensor PrepareBatch(Tensor rawBatch);

    /// <summary>
    /// The part of <see cref="PrepareBatch"/> before the normalisation: checks the batch and returns it as float32 on
    /// the scale <see cref="InputDescription.Normalize"/> applies to (images: intensities in [0, 1]). A predictor that
    /// folds the normalisation into the model's first layer feeds this to the folded layer. A float32 batch that needs no
    /// conversion comes back as the very same object (no copy): do not dispose or change the result then unless you own
    /// <paramref name="rawBatch"/> (a dispose scope does the right thing either way).
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not have the item shape.</exception>
    Tensor ToRawScale(Tensor rawBatch);
}
