using static TorchSharp.torch;

namespace Trainwright.Data.Tables;

/// <summary>
/// Rows of a table after preprocessing, ready for the model: one float row per table row holding the categorical codes
/// first, then the normalised continuous values (<see cref="TabularPreprocessor.InputWidth"/> wide). Codes are
/// whole numbers, exact in float32 up to 2²⁴.
/// </summary>
/// <param name="X">Row-major inputs, <see cref="Rows"/> × <see cref="Width"/>.</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="Width">Inputs per row.</param>
/// <param name="ClassTargets">Class indices (classification with targets), else null.</param>
/// <param name="Targets">Scaled regression targets (regression with targets), else null.</param>
/// <param name="Coerced">Non-numeric values in continuous columns that were treated as missing.</param>
public sealed record TabularMatrix(float[] X, int Rows, int Width, long[]? ClassTargets, float[]? Targets, int Coerced)
{
    /// <summary>The inputs as a new float32 tensor [rows, width] the caller owns.</summary>
    public Tensor InputTensor() => tensor(X, [Rows, Width]);

    /// <summary>The targets as a new tensor the caller owns: int64 [rows] class indices or float32 [rows] values.</summary>
    /// <exception cref="InvalidOperationException">The matrix was made without targets.</exception>
    public Tensor TargetTensor() =>
        ClassTargets is not null ? tensor(ClassTargets, [Rows])
        : Targets is not null ? tensor(Targets, [Rows])
        : throw new InvalidOperationException("These rows were preprocessed without their targets.");
}
