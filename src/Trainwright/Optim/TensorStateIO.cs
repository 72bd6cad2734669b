using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Optim;

/// <summary>Writes and reads one state tensor as dtype, shape and raw bytes, so a reload is bit-identical.</summary>
internal static class TensorStateIO
{
    public static void Write(BinaryWriter writer, Tensor t)
    {
        writer.Write((int)t.dtype);
        writer.Write((int)t.Dimensions);
        foreach (var d in t.shape) writer.Write(d);
        using var scope = NewDisposeScope();
        var host = t.device_type == DeviceType.CPU ? t.contiguous() : t.cpu().contiguous();
        writer.Write(host.bytes);
    }

    /// <summary>Reads a tensor on the CPU; the caller checks its shape and dtype against the parameter.</summary>
    public static Tensor Read(BinaryReader reader)
    {
        var dtype = (ScalarType)reader.ReadInt32();
        var dims = reader.ReadInt32();
        if (dims < 0 || dims > 64) throw new InvalidDataException($"Optimizer state holds a tensor with {dims} dimensions; the data is corrupt.");
        var shape = new long[dims];
        for (int i = 0; i < dims; i++) shape[i] = reader.ReadInt64();
        var t = empty(shape, dtype);
        try
        {
            var bytes = t.bytes;
            int read = 0;
            while (read < bytes.Length)
            {
                int n = reader.Read(bytes[read..]);
                if (n == 0) throw new EndOfStreamException("Optimizer state ends in the middle of a tensor; the data is truncated.");
                read += n;
            }
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    public static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
