using Trainwright.Learning;
using static TorchSharp.torch;

namespace Trainwright.Callbacks;

/// <summary>
/// Steps the optimizer only every <see cref="Batches"/> training batches (and at the end of each epoch), letting
/// gradients add up in between: an effective batch <see cref="Batches"/> times larger for the same memory. The summed
/// gradient is divided by the number of batches it holds, so it equals the gradient of the mean loss of one big batch.
/// </summary>
public sealed class GradientAccumulation : Callback
{
    private int pending;

    /// <summary>Creates the callback.</summary>
    /// <param name="batches">Batches per optimizer step (at least 1).</param>
    public GradientAccumulation(int batches)
    {
        if (batches < 1) throw new ArgumentOutOfRangeException(nameof(batches), batches, "Accumulate over at least one batch.");
        Batches = batches;
    }

    /// <inheritdoc />
    public override int Order => CallbackOrder.GradientAccumulation;

    /// <summary>Batches per optimizer step.</summary>
    public int Batches { get; }

    /// <summary>Optimizer steps taken in this fit.</summary>
    public int Steps { get; private set; }

    /// <inheritdoc />
    public override void BeforeFit()
    {
        pending = 0;
        Steps = 0;
    }

    /// <inheritdoc />
    public override void BeforeEpoch() => pending = 0;

    /// <inheritdoc />
    public override void AfterBackward()
    {
        var l = Learner;
        pending++;
        bool lastOfEpoch = l.Iter == l.ItersPerEpoch - 1;
        if (pending < Batches && !lastOfEpoch) throw new CancelBatchException("accumulating gradients");
        if (pending > 1)
        {
            using var _ = no_grad();
            foreach (var p in l.Opt.Parameters)
                p.grad?.div_(pending);
        }
        pending = 0;
        Steps++;
    }
}
