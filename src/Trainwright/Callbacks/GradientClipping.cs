using Trainwright.Learning;
using static TorchSharp.torch;

namespace Trainwright.Callbacks;

/// <summary>Clips the gradients about to be applied so their global norm is at most <see cref="MaxNorm"/>.</summary>
public sealed class GradientClipping : Callback
{
    /// <summary>Creates the callback.</summary>
    /// <param name="maxNorm">The largest allowed global gradient norm (positive).</param>
    /// <param name="normType">Which p-norm (2 by default).</param>
    public GradientClipping(double maxNorm, double normType = 2)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        MaxNorm = maxNorm;
        NormType = normType;
    }

    /// <inheritdoc />
    public override int Order => CallbackOrder.GradientClipping;

    /// <summary>The largest allowed global gradient norm.</summary>
    public double MaxNorm { get; }

    /// <summary>Which p-norm.</summary>
    public double NormType { get; }

    /// <summary>The norm of the gradients before the last clip.</summary>
    public double LastNorm { get; private set; }

    /// <inheritdoc />
    public override void AfterBackward() =>
        LastNorm = nn.utils.clip_grad_norm_(Learner.Opt.Parameters.Where(p => p.grad is not null), MaxNorm, NormType);
}
