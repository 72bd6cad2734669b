using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Distributed;

/// <summary>Finds where a CPU tensor's elements live, so MPI can read and write them in place.</summary>
internal static class TensorMemory
{
    /// <summary>Throws unless <paramref name="tensor"/> can be handed to MPI as one block of memory.</summary>
    public static void Check(Tensor tensor, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(tensor, parameterName);
        if (tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"MPI collectives here work on CPU tensors; this one is on {tensor.device}. Copy it to the CPU first.", parameterName);
        if (!tensor.is_contiguous())
            throw new ArgumentException("The tensor is not contiguous; MPI needs one block of memory. Use tensor.contiguous() and copy the result back.", parameterName);
        if (tensor.dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64))
            throw new ArgumentException($"Tensors of {tensor.dtype} are not supported; use float32, float64 or int64.", parameterName);
    }

    /// <summary>The address of the first element of a checked tensor (storage base plus the view's offset).</summary>
    public static IntPtr Address(Tensor tensor)
    {
        // storage<T>() makes a tensor alias for the storage; the scope disposes it (the memory stays with the original).
        using var scope = NewDisposeScope();
        IntPtr start = tensor.dtype switch
        {
            ScalarType.Float32 => tensor.storage<float>().data_ptr(),
            ScalarType.Float64 => tensor.storage<double>().data_ptr(),
            ScalarType.Int64 => tensor.storage<long>().data_ptr(),
            _ => throw new ArgumentException($"Tensors of {tensor.dtype} are not supported; use float32, float64 or int64.", nameof(tensor)),
        };
        return start + checked((nint)(tensor.storage_offset() * tensor.ElementSize));
    }
}
