using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Trainwright.IO;

namespace Trainwright.Data;

/// <summary>Writes IDX files (raw or gzip-compressed), e.g. to make small test data sets.</summary>
internal static class IdxWriter
{
    /// <summary>
    /// Writes <paramref name="data"/> to <paramref name="path"/>. The file is gzip-compressed when <paramref name="gzip"/>
    /// is true, or, when it is null, when the path ends in <c>.gz</c>. Existing files are replaced, through
    /// <see cref="AtomicFile"/>.
    /// </summary>
    public static void Write(string path, IdxData data, bool? gzip = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(data);
        var bytes = Encode(data);
        bool compress = gzip ?? path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, file =>
        {
            if (compress)
            {
                using var z = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
                z.Write(bytes);
            }
            else
            {
                file.Write(bytes);
            }
        });
    }

    /// <summary>Writes a typed array with the given dimensions; shorthand for <see cref="Write(string, IdxData, bool?)"/>.</summary>
    public static void Write<T>(string path, T[] values, params int[] dimensions) where T : unmanaged
        => Write(path, IdxData.From(values, dimensions));

    /// <summary>The IDX encoding of <paramref name="data"/> (header and big-endian elements).</summary>
    public static byte[] Encode(IdxData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rank is < 1 or > 255)
            throw new ArgumentException($"IDX needs between 1 and 255 dimensions; got {data.Rank}.", nameof(data));
        var expectedType = IdxElementTypes.ClrType(data.ElementType);
        var actualType = data.Values.GetType().GetElementType();
        if (actualType != expectedType)
            throw new ArgumentException($"Element type {data.ElementType} needs a {expectedType.Name}[] but the values are {data.Values.GetType().Name}.", nameof(data));
        if (data.ElementCount != data.Values.Length)
            throw new ArgumentException($"Dimensions [{string.Join(", ", data.Dimensions)}] hold {data.ElementCount} elements but there are {data.Values.Length} values.", nameof(data));

        int size = IdxElementTypes.SizeOf(data.ElementType);
        int header = 4 + 4 * data.Rank;
        var result = new byte[header + (long)data.Values.Length * size];
        result[2] = (byte)data.ElementType;
        result[3] = (byte)data.Rank;
        for (int d = 0; d < data.Rank; d++)
            BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(4 + 4 * d, 4), data.Dimensions[d]);
        var body = result.AsSpan(header);
        ValuesAsBytes(data.Values).CopyTo(body);
        if (BitConverter.IsLittleEndian)
            Endianness.Swap(body, size);
        return result;
    }

    private static ReadOnlySpan<byte> ValuesAsBytes(Array values) => values switch
    {
        byte[] a => a,
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new ArgumentException($"IDX values must be a byte, sbyte, short, int, float or double array; got {values.GetType().Name}.", nameof(values)),
    };
}
