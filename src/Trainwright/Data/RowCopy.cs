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
            Buffer.MemoryCopy(from + indices[i] * rowBytes, to + i * rowBytes, rowBytes, rowBytes);
        return result;
    }

    /// <summary>Address of <paramref name="t"/>'s first element (call inside a dispose scope: reading the storage makes an alias).</summary>
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
