using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Trainwright.Data;

/// <summary>
/// Reads IDX files (the format of the MNIST distribution): a 4-byte magic number (two zero bytes, an element type code,
/// the number of dimensions), one big-endian 32-bit size per dimension, then the elements, big-endian, row-major.
/// Any element type and rank the format defines is supported; sizes always come from the header.
/// Gzip-compressed files (recognised by their content, usually named <c>*.gz</c>) are decompressed on the fly.
/// </summary>
public static class IdxReader
{
    private const int MagicLength = 4;

    /// <summary>Reads the IDX file at <paramref name="path"/>, raw or gzip-compressed.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IdxFormatException">The file is empty, truncated, has a wrong magic number, an unknown type code,
    /// or more bytes than its header declares.</exception>
    public static IdxData Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist; check the path (raw and '.gz' files are both accepted).", path);
        return Parse(Load(path), path);
    }

    /// <summary>Parses IDX content already in memory; <paramref name="source"/> names it in error messages.</summary>
    public static IdxData Parse(ReadOnlySpan<byte> content, string source)
    {
        if (content.Length == 0)
            throw new IdxFormatException(source, "the file is empty; an IDX file needs at least a 4-byte magic number and a header.");
        if (content.Length < MagicLength)
            throw new IdxFormatException(source, $"truncated header: the 4-byte magic number is incomplete ({content.Length} bytes in the file).");
        if (content[0] != 0 || content[1] != 0)
            throw new IdxFormatException(source,
                $"wrong magic number 0x{content[0]:X2}{content[1]:X2}{content[2]:X2}{content[3]:X2}; an IDX file starts with two zero bytes, a type code and a dimension count.");
        byte code = content[2];
        if (!IdxElementTypes.IsDefined(code))
            throw new IdxFormatException(source,
                $"unknown element type code 0x{code:X2}; IDX defines 0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int, 0x0D float and 0x0E double.");
        var type = (IdxElementType)code;
        int rank = content[3];
        if (rank == 0)
            throw new IdxFormatException(source, "the header declares 0 dimensions; an IDX file needs at least one.");

        int headerLength = MagicLength + 4 * rank;
        if (content.Length < headerLength)
            throw new IdxFormatException(source,
                $"truncated header: it declares {rank} dimensions ({headerLength} header bytes) but the file has only {content.Length} bytes.");
        var dims = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(content.Slice(MagicLength + 4 * d, 4));
            if (size > int.MaxValue)
                throw new IdxFormatException(source, $"dimension {d} has an impossible size {size}.");
            dims[d] = (int)size;
            count *= size;
        }

        int elementSize = IdxElementTypes.SizeOf(type);
        long expected = count * elementSize;
        long actual = content.Length - headerLength;
        string shape = $"[{string.Join(", ", dims)}] of {type}";
        if (actual < expected)
            throw new IdxFormatException(source,
                $"truncated data: the header declares {shape} ({expected} data bytes) but only {actual} bytes follow the header.");
        if (actual > expected)
            throw new IdxFormatException(source,
                $"header/length mismatch: the header declares {shape} ({expected} data bytes) but {actual} bytes follow the header ({actual - expected} trailing bytes).");
        if (count > Array.MaxLength)
            throw new IdxFormatException(source, $"{count} elements are more than one .NET array can hold.");

        var data = content.Slice(headerLength);
        int n = (int)count;
        Array values = type switch
        {
            IdxElementType.UByte => data.ToArray(),
            IdxElementType.SByte => Decode<sbyte>(data, n),
            IdxElementType.Short => Decode<short>(data, n),
            IdxElementType.Int => Decode<int>(data, n),
            IdxElementType.Float => Decode<float>(data, n),
            IdxElementType.Double => Decode<double>(data, n),
            _ => throw new IdxFormatException(source, $"unsupported element type {type}."),
        };
        return new IdxData(type, dims, values);
    }

    /// <summary>Copies big-endian elements into a native-order array.</summary>
    private static T[] Decode<T>(ReadOnlySpan<byte> data, int count) where T : unmanaged
    {
        var result = new T[count];
        var bytes = MemoryMarshal.AsBytes(result.AsSpan());
        data.CopyTo(bytes);
        if (BitConverter.IsLittleEndian)
            Endianness.Swap(bytes, Marshal.SizeOf<T>());
        return result;
    }

    /// <summary>The file's bytes, decompressed when they start with the gzip signature.</summary>
    private static byte[] Load(string path)
    {
        var raw = File.ReadAllBytes(path);
        bool gzipped = raw.Length >= 2 && raw[0] == 0x1F && raw[1] == 0x8B;
        if (!gzipped)
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) && raw.Length > 0)
                throw new IdxFormatException(path, "the name ends in '.gz' but the content is not gzip-compressed (no gzip signature); rename it or recompress it.");
            return raw;
        }
        try
        {
            using var input = new MemoryStream(raw, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream(raw.Length * 4);
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(path, $"the gzip stream is corrupt or truncated ({e.Message}); download the file again.", e);
        }
    }
}
