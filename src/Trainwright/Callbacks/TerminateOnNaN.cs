using Trainwright.Learning;

namespace Trainwright.Callbacks;

/// <summary>
/// Stops the fit at the first loss that is NaN or infinite, before it reaches the weights, and says where it happened.
/// SaveModel does not overwrite checkpoints after such a stop, so the last good one is kept.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit;

    /// <inheritdoc />
    public override int Order => CallbackOrder.TerminateOnNaN;

    /// <summary>Where the bad loss appeared, or null when none did.</summary>
    public string? StoppedAt { get; private set; }

    /// <summary>True once a bad loss stopped the fit.</summary>
    public bool Stopped => StoppedAt is not null;

    /// <inheritdoc />
    public override void BeforeFit() => StoppedAt = null;

    /// <inheritdoc />
    public override void AfterLoss()
    {
        var l = Learner;
        double loss = l.Loss!.item<float>();
        if (double.IsFinite(loss)) return;
        StoppedAt = $"epoch {l.Epoch + 1}, {(l.Training ? "training" : "validation")} batch {l.Iter + 1}";
        throw new CancelFitException($"the loss became {loss} at {StoppedAt}");
    }
}
