using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>
/// <c>(x - Mean) / Std</c> applied to the model's input: one value for every element, or one per channel (the first
/// axis of an item, e.g. C of [C, H, W]). Raw values are in the scale the data set stores before normalising (images:
/// intensities in [0, 1]).
/// </summary>
/// <param name="Mean">One mean, or one per channel.</param>
/// <param name="Std">As many standard deviations as means, all positive.</param>
public sealed record Normalization(IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>One mean and standard deviation for every element (e.g. MNIST's 0.1307 and 0.3081).</summary>
    public static Normalization Global(float mean, float std) => new([mean], [std]);

    /// <summary>Throws when the statistics do not fit items of <paramref name="itemShape"/>.</summary>
    public void Check(IReadOnlyList<int> itemShape)
    {
        ArgumentNullException.ThrowIfNull(itemShape);
        if (Mean.Count == 0 || Mean.Count != Std.Count)
            throw new ArgumentException($"Normalisation needs as many means as standard deviations, at least one (got {Mean.Count} and {Std.Count}).");
        if (Std.Any(s => !(s > 0) || !float.IsFinite(s)) || Mean.Any(m => !float.IsFinite(m)))
            throw new ArgumentException("Normalisation statistics must be finite and every standard deviation positive.");
        if (Mean.Count > 1 && (itemShape.Count == 0 || itemShape[0] != Mean.Count))
            throw new ArgumentException($"{Mean.Count} per-channel statistics do not fit items of shape [{string.Join(", ", itemShape)}]: the first axis must have {Mean.Count} channels.");
    }

    /// <summary>Normalises a batch [N, …item shape]; returns a new float32 tensor.</summary>
    public Tensor Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var shape = Enumerable.Repeat(1L, (int)batch.dim()).ToArray();
        if (Mean.Count > 1) shape[1] = Mean.Count;
        using var mean = tensor(Mean.ToArray()).reshape(shape);
        using var std = tensor(Std.ToArray()).reshape(shape);
        var result = batch.sub(mean);
        result.div_(std);
        return result;
    }
}
