using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>
/// The content of one IDX file: its element type, its dimensions (from the header) and its values in row-major order
/// as a typed array (<c>byte[]</c>, <c>sbyte[]</c>, <c>short[]</c>, <c>int[]</c>, <c>float[]</c> or <c>double[]</c>).
/// </summary>
/// <param name="ElementType">Element type from the file's magic number.</param>
/// <param name="Dimensions">Size of each dimension, outermost first (the first is usually the item count).</param>
/// <param name="Values">All elements, row-major, in native byte order.</param>
public sealed record IdxData(IdxElementType ElementType, IReadOnlyList<int> Dimensions, Array Values)
{
    /// <summary>Number of dimensions.</summary>
    public int Rank => Dimensions.Count;

    /// <summary>Total number of elements (the product of <see cref="Dimensions"/>).</summary>
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);

    /// <summary>Builds IDX content from a typed array and its dimensions, checking that they agree.</summary>
    public static IdxData From<T>(T[] values, params int[] dimensions) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(dimensions);
        var type = IdxElementTypes.FromClrType(typeof(T));
        if (dimensions.Length is < 1 or > 255)
            throw new ArgumentException($"IDX needs between 1 and 255 dimensions; got {dimensions.Length}.", nameof(dimensions));
        if (dimensions.Any(d => d < 0))
            throw new ArgumentException($"IDX dimensions cannot be negative; got [{string.Join(", ", dimensions)}].", nameof(dimensions));
        long count = dimensions.Aggregate(1L, (a, d) => a * d);
        if (count != values.Length)
            throw new ArgumentException(
                $"Dimensions [{string.Join(", ", dimensions)}] hold {count} elements but {values.Length} values were given.", nameof(values));
        return new IdxData(type, dimensions, values);
    }

    /// <summary>
    /// Copies the values into a new CPU tensor of the matching dtype (uint8, int8, int16, int32, float32, float64)
    /// shaped like <see cref="Dimensions"/>. The caller owns (disposes) the tensor.
    /// </summary>
    public Tensor ToTensor()
    {
        using var view = View();
        return view.clone();
    }

    /// <summary>
    /// A tensor over the values themselves (no copy: the array stays pinned until the tensor and every view of it are
    /// disposed), for internal conversions that copy anyway. Copying the whole array first cost more than the conversion
    /// of a slice (about 50 ms for MNIST's training images).
    /// </summary>
    internal Tensor View()
    {
        var shape = Dimensions.Select(d => (long)d).ToArray();
        using var flat = Values switch
        {
            byte[] or sbyte[] or short[] or int[] or float[] or double[] => from_array(Values),
            _ => throw new InvalidOperationException($"IDX values must be a byte, sbyte, short, int, float or double array; got {Values.GetType().Name}."),
        };
        return flat.view(shape);
    }
}
