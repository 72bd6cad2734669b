using Trainwright.Learning;
using static TorchSharp.torch;

namespace Trainwright.Callbacks;

/// <summary>
/// Applies a function to the inputs (and optionally the targets) of every batch, training and validation alike, after
/// the batch is on its device, e.g. <c>new BatchTransform(x =&gt; x.view(-1, 1, 28, 28))</c> or <see cref="Reshape"/>.
/// What the functions make is disposed with the batch.
/// </summary>
public sealed class BatchTransform : Callback
{
    private readonly Func<Tensor, Tensor> inputs;
    private readonly Func<Tensor, Tensor>? targets;

    /// <summary>Creates the transform.</summary>
    /// <param name="inputs">Maps each batch's inputs to what the model should see.</param>
    /// <param name="targets">Maps each batch's targets (default: left as they are).</param>
    public BatchTransform(Func<Tensor, Tensor> inputs, Func<Tensor, Tensor>? targets = null)
    {
        this.inputs = inputs ?? throw new ArgumentNullException(nameof(inputs));
        this.targets = targets;
    }

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit | CallbackPhases.LrFind | CallbackPhases.Inference;

    /// <inheritdoc />
    public override int Order => CallbackOrder.BatchTransform;

    /// <inheritdoc />
    public override void BeforeBatch()
    {
        var l = Learner;
        l.Xb = inputs(l.Xb) ?? throw new InvalidOperationException("The BatchTransform input function returned null; it must return a tensor.");
        if (targets is not null)
            l.Yb = targets(l.Yb) ?? throw new InvalidOperationException("The BatchTransform target function returned null; it must return a tensor.");
    }

    /// <summary>
    /// Reshapes each item of the inputs to <paramref name="itemShape"/>, keeping the batch dimension:
    /// <c>Reshape(1, 28, 28)</c> maps <c>[bs, 784]</c> to <c>[bs, 1, 28, 28]</c>. One dimension may be -1 (inferred).
    /// </summary>
    /// <exception cref="ArgumentException">The shape is empty, has a zero or negative size other than one -1.</exception>
    public static BatchTransform Reshape(params long[] itemShape) => new(ReshapeFunction(itemShape));

    /// <summary>The function behind <see cref="Reshape"/>, for use elsewhere (e.g. composed with other transforms).</summary>
    public static Func<Tensor, Tensor> ReshapeFunction(params long[] itemShape)
    {
        ArgumentNullException.ThrowIfNull(itemShape);
        if (itemShape.Length == 0)
            throw new ArgumentException("Give the shape of one item, without the batch dimension, e.g. Reshape(1, 28, 28).", nameof(itemShape));
        int inferred = itemShape.Count(d => d == -1);
        if (inferred > 1 || itemShape.Any(d => d == 0 || d < -1))
            throw new ArgumentException(
                $"Reshape({Show(itemShape)}): sizes must be positive, with at most one -1 to infer.", nameof(itemShape));
        long known = itemShape.Where(d => d > 0).Aggregate(1L, (a, b) => a * b);
        var shape = itemShape.ToArray();
        return x =>
        {
            if (x.shape.Length == 0)
                throw new ArgumentException($"Reshape({Show(shape)}) needs a batch with a batch dimension; got a scalar.");
            long bs = x.shape[0];
            long perItem = bs == 0 ? 0 : x.numel() / bs;
            bool fits = inferred == 0 ? perItem == known : perItem % known == 0;
            if (!fits)
                throw new ArgumentException(
                    $"Reshape({Show(shape)}) needs {(inferred == 0 ? "" : "a multiple of ")}{known} elements per item, but the batch "
                    + $"[{Show(x.shape)}] has {perItem} per item. Check the item shape (without the batch dimension).");
            var target = new long[shape.Length + 1];
            target[0] = bs;
            shape.CopyTo(target, 1);
            return x.reshape(target);
        };
    }

    private static string Show(long[] shape) => string.Join(", ", shape);
}
