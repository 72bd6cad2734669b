using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data.Images;

/// <summary>
/// An image folder's training items as fastai trains on them with <see cref="ResizeMethod.Crop"/>: each epoch, a
/// random <see cref="Size"/>-square crop along the image's long side (the short side is resized to
/// <see cref="Size"/>), where validation sees the centre crop. Items are uint8 [C, Size, Size] and int64 labels.
/// </summary>
/// <remarks>
/// The decode cache stores each training image with its long side along the row (portraits transposed), up to
/// <see cref="ImageFolderOptions.TrainCropAspect"/> × Size long. The crop of item i in epoch e is a pure function of
/// (seed, e, i), so it does not depend on the item order, the loader's workers, sharding over processes or a resume:
/// a resumed run crops exactly as the uninterrupted one. <see cref="ImageFolderData.ToDataBunch"/> ties
/// <see cref="Epoch"/> to the training loader's epoch. The dataset does not own the tensors.
/// </remarks>
public sealed class RandomCropDataset : IDataset<(Tensor X, Tensor Y)>
{
    private readonly Tensor x, y;
    private readonly int[] lengths;

    /// <param name="x">Stored training rows, uint8 [n, C, size, width].</param>
    /// <param name="y">Labels [n].</param>
    /// <param name="lengths">Per row, the columns that hold the image (at least <paramref name="size"/>), negative when
    /// the row holds the image transposed; empty when every row is exactly <paramref name="size"/> wide.</param>
    /// <param name="size">Side of the crops.</param>
    /// <param name="seed">Seed of the crop positions.</param>
    public RandomCropDataset(Tensor x, Tensor y, IReadOnlyList<int> lengths, int size, int seed)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(lengths);
        if (x.Dimensions != 4 || x.shape[2] != size || x.shape[3] < size || y.shape[0] != x.shape[0])
            throw new ArgumentException($"Expected rows [n, C, {size}, width ≥ {size}] and n labels; got [{string.Join(", ", x.shape)}] and [{string.Join(", ", y.shape)}].");
        if (lengths.Count != 0 && lengths.Count != x.shape[0])
            throw new ArgumentException($"Expected {x.shape[0]} lengths (one per row) or none; got {lengths.Count}.", nameof(lengths));
        if (lengths.Any(l => Math.Abs(l) < size || Math.Abs(l) > x.shape[3]))
            throw new ArgumentException($"Every length must be between {size} and the row width {x.shape[3]}.", nameof(lengths));
        this.x = x;
        this.y = y;
        this.lengths = [.. lengths];
        Size = size;
        Seed = seed;
        Count = (int)x.shape[0];
    }

    /// <summary>Side of the square crops.</summary>
    public int Size { get; }

    /// <summary>Seed of the crop positions.</summary>
    public int Seed { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <summary>The epoch whose crops the indexer returns (default: always 0).</summary>
    public Func<int> Epoch { get; set; } = () => 0;

    /// <summary>The random crop of item <paramref name="index"/> in the current <see cref="Epoch"/>.</summary>
    public (Tensor X, Tensor Y) this[int index] => Crop(index, Offset(index, Epoch()));

    /// <summary>Item <paramref name="index"/>'s crop of epoch <paramref name="epoch"/>.</summary>
    public (Tensor X, Tensor Y) At(int index, int epoch) => Crop(index, Offset(index, epoch));

    /// <summary>Item <paramref name="index"/>'s centre crop (what validation would see of it).</summary>
    public (Tensor X, Tensor Y) Centre(int index) => Crop(index, (Length(index) - Size) / 2);

    /// <summary>Where item <paramref name="index"/>'s crop starts along its long side in <paramref name="epoch"/>.</summary>
    public int Offset(int index, int epoch)
    {
        int choices = Length(index) - Size + 1;
        if (choices == 1) return 0;
        // SplitMix64 of (seed, epoch, index): independent of the order items are visited in.
        ulong z = unchecked((ulong)(uint)Seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)epoch * 0xBF58476D1CE4E5B9UL + (ulong)(uint)index * 0x94D049BB133111EBUL + 0x2545F4914F6CDD1DUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z % (ulong)choices);
    }

    /// <summary>The crops of <paramref name="indices"/> in <paramref name="epoch"/>, stacked into a batch the caller disposes.</summary>
    public Batch Gather(IReadOnlyList<int> indices, int epoch)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (x.dtype != ScalarType.Byte || !RowCopy.Supports(x) || !RowCopy.Supports(y)) return StackCrops(indices, epoch);
        var rows = new int[indices.Count];
        var offsets = new int[indices.Count];
        for (int k = 0; k < rows.Length; k++) (rows[k], offsets[k]) = (indices[k], Offset(indices[k], epoch)); // Offset checks the index
        var crops = CopyCrops(rows, offsets);
        try
        {
            return new Batch(crops, RowCopy.Gather(y, rows, y.element_size(), []));
        }
        catch
        {
            crops.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The crops copied row by row from the stored rows' memory: a batch of 64 costs one allocation instead of five native
    /// calls an item (select, narrow, transpose, contiguous, then stack).
    /// </summary>
    private unsafe Tensor CopyCrops(int[] rows, int[] offsets)
    {
        long channels = x.shape[1], width = x.shape[3];
        var result = empty([rows.Length, channels, Size, Size], dtype: ScalarType.Byte);
        byte* from, to;
        using (NewDisposeScope())
        {
            from = (byte*)RowCopy.BasePointer(x);
            to = (byte*)RowCopy.BasePointer(result);
        }
        long plane = Size * width, square = (long)Size * Size;
        for (int k = 0; k < rows.Length; k++)
        {
            bool upright = lengths.Length == 0 || lengths[rows[k]] > 0;
            for (long c = 0; c < channels; c++)
            {
                byte* source = from + (rows[k] * channels + c) * plane + offsets[k];
                byte* target = to + (k * channels + c) * square;
                if (upright)
                {
                    for (int r = 0; r < Size; r++) Buffer.MemoryCopy(source + r * width, target + r * Size, Size, Size);
                }
                else
                {
                    // A portrait is stored transposed: its pixel (row h, column w) sits at stored row w, column offset + h.
                    for (int h = 0; h < Size; h++)
                        for (int w = 0; w < Size; w++) target[h * Size + w] = source[w * width + h];
                }
            }
        }
        return result;
    }

    /// <summary>The crops through tensor operations, for rows that are not contiguous uint8 in CPU memory.</summary>
    private Batch StackCrops(IReadOnlyList<int> indices, int epoch)
    {
        using var scope = NewDisposeScope();
        var items = indices.Select(i => At(i, epoch)).ToArray();
        var batch = new Batch(stack(items.Select(t => t.X)), stack(items.Select(t => t.Y)));
        batch.Xb.MoveToOuterDisposeScope();
        batch.Yb.MoveToOuterDisposeScope();
        return batch;
    }

    private int Length(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be in [0, {Count}).");
        return lengths.Length == 0 ? Size : Math.Abs(lengths[index]);
    }

    private (Tensor X, Tensor Y) Crop(int index, int offset)
    {
        using var scope = NewDisposeScope();
        var image = x[index].narrow(2, offset, Size);
        if (lengths.Length > 0 && lengths[index] < 0) image = image.transpose(1, 2);
        return (image.contiguous().MoveToOuterDisposeScope(), y[index].MoveToOuterDisposeScope());
    }
}
