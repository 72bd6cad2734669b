using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Data;

/// <summary>
/// Gathers rows of a contiguous CPU tensor by copying memory. For mini-batches this beats <c>index_select</c>, whose
/// intra-op thread team costs more to start than copying a few hundred kilobytes (and stalls on a busy machine).
/// </summary>
internal static class RowCopy
{
    /// <summary>True when <paramref name="t"/> is a contiguous CPU tensor of a type this class can address.</summary>
    public static bool Supports(Tensor t) =>
        t.device_type == DeviceType.CPU && t.is_contiguous() && t.Dimensions >= 1 && ElementType(t.dtype) is not null;

    /// <summary>A new tensor whose row <c>i</c> is row <c>indices[i]</c> of <paramref name="source"/> (bounds already checked).</summary>
    public static unsafe Tensor Gather(Tensor source, ReadOnlySpan<int> indices, long rowBytes, long[] rowShape)
    {
        var shape = new long[rowShape.Length + 1];
        shape[0] = indices.Length;
        rowShape.CopyTo(shape, 1);
        var result = empty(shape, dtype: source.dtype);
        byte* from, to;
        // Reading a storage makes a native alias of the tensor; free it now rather than leave it to the finalizer.
        using (NewDisposeScope())
        {
            from = (byte*)BasePointer(source);
            to = (byte*)BasePointer(result);
        }
        for (int i = 0; i < indices.Length; i++)
        {
            // Rows drawn at random miss every cache; asking for the row after next while this one copies halves the
            // time of a shuffled MNIST epoch's gathers (29 → 12 ms at batch 512; index_select: 23 ms).
            if (i + PrefetchDistance < indices.Length) Prefetch(from + indices[i + PrefetchDistance] * rowBytes, rowBytes);
            Buffer.MemoryCopy(from + indices[i] * rowBytes, to + i * rowBytes, rowBytes, rowBytes);
        }
        return result;
    }

    private const int PrefetchDistance = 2;

    // The hardware prefetcher follows a long row once it has started; the first few kilobytes are what it misses.
    private const long PrefetchBytes = 4096;

    private static unsafe void Prefetch(byte* row, long bytes)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        long end = Math.Min(bytes, PrefetchBytes);
        for (long offset = 0; offset < end; offset += 64) System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + offset);
    }

    /// <summary>The address of <paramref name="t"/>'s first element; call it inside a dispose scope (it makes a native alias of the storage).</summary>
    internal static IntPtr BasePointer(Tensor t)
    {
        Storage storage = t.dtype switch
        {
            ScalarType.Float32 => t.storage<float>(),
            ScalarType.Float64 => t.storage<double>(),
            ScalarType.Int64 => t.storage<long>(),
            ScalarType.Int32 => t.storage<int>(),
            ScalarType.Int16 => t.storage<short>(),
            ScalarType.Byte => t.storage<byte>(),
            ScalarType.Int8 => t.storage<sbyte>(),
            _ => throw new NotSupportedException($"Row copy does not handle {t.dtype}."),
        };
        return storage.data_ptr() + (nint)(t.storage_offset() * t.element_size());
    }

    private static Type? ElementType(ScalarType type) => type switch
    {
        ScalarType.Float32 => typeof(float),
        ScalarType.Float64 => typeof(double),
        ScalarType.Int64 => typeof(long),
        ScalarType.Int32 => typeof(int),
        ScalarType.Int16 => typeof(short),
        ScalarType.Byte => typeof(byte),
        ScalarType.Int8 => typeof(sbyte),
        _ => null,
    };
}
