using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Trainwright.Data;

/// <summary>
/// Reads IDX files (the format of the MNIST distribution): a 4-byte magic number (two zero bytes, an element type code,
/// the number of dimensions), one big-endian 32-bit size per dimension, then the elements, big-endian, row-major.
/// Any element type and rank the format defines is supported; sizes always come from the header.
/// Gzip-compressed files (recognised by their content, usually named <c>*.gz</c>) are decompressed as a stream.
/// Nothing is allocated before the header has been checked against the data actually present: the element count is
/// computed with checked arithmetic, and the data size is compared with the file's (or, for gzip, the decompressed) length.
/// </summary>
public static class IdxReader
{
    private const int MagicLength = 4;
    private const int ChunkElements = 1 << 20;

    /// <summary>Reads the IDX file at <paramref name="path"/>, raw or gzip-compressed.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IdxFormatException">The file is not a regular file, is empty, truncated, has a wrong magic number,
    /// an unknown type code, impossible sizes, or more bytes than its header declares.</exception>
    public static IdxData Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist; check the path (raw and '.gz' files are both accepted).", path);
        if (RegularFile.WhatElse(path) is { } kind)
            throw new IdxFormatException(path, $"it is {kind}, not a regular file; give a regular IDX file.");
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> signature = stackalloc byte[2];
        int got = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        file.Position = 0;
        bool gzipped = got == 2 && signature[0] == 0x1F && signature[1] == 0x8B;
        if (!gzipped)
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) && file.Length > 0)
                throw new IdxFormatException(path, "the name ends in '.gz' but the content is not gzip-compressed (no gzip signature); rename it or recompress it.");
            return ReadStream(file, path, _ => file.Length);
        }
        uint? trailerSize = GzipTrailerSize(file);
        try
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
            // The gzip trailer records the decompressed size modulo 2^32: when it agrees with the header the data is read
            // straight into its array; otherwise the stream is counted (without keeping it) for an exact message.
            return ReadStream(gzip, path, expected => trailerSize == (uint)expected ? expected : DecompressedLength(path));
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(path, $"the gzip stream is corrupt or truncated ({e.Message}); download the file again.", e);
        }
    }

    /// <summary>Parses IDX content already in memory; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="IdxFormatException">The content breaks the format.</exception>
    public static IdxData Parse(ReadOnlySpan<byte> content, string source)
    {
        long length = content.Length;
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        return ReadStream(stream, source, _ => length);
    }

    /// <summary>
    /// Reads one IDX content from <paramref name="stream"/>. <paramref name="totalLength"/> returns the content's total
    /// length in bytes, given the length the header implies (so a source can confirm it cheaply).
    /// </summary>
    private static IdxData ReadStream(Stream stream, string source, Func<long, long> totalLength)
    {
        Span<byte> magic = stackalloc byte[MagicLength];
        int got = stream.ReadAtLeast(magic, MagicLength, throwOnEndOfStream: false);
        if (got == 0)
            throw new IdxFormatException(source, "the file is empty; an IDX file needs at least a 4-byte magic number and a header.");
        if (got < MagicLength)
            throw new IdxFormatException(source, $"truncated header: the 4-byte magic number is incomplete ({got} bytes in the file).");
        if (magic[0] != 0 || magic[1] != 0)
            throw new IdxFormatException(source,
                $"wrong magic number 0x{magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2}; an IDX file starts with two zero bytes, a type code and a dimension count.");
        byte code = magic[2];
        if (!IdxElementTypes.IsDefined(code))
            throw new IdxFormatException(source,
                $"unknown element type code 0x{code:X2}; IDX defines 0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int, 0x0D float and 0x0E double.");
        var type = (IdxElementType)code;
        int rank = magic[3];
        if (rank == 0)
            throw new IdxFormatException(source, "the header declares 0 dimensions; an IDX file needs at least one.");

        int headerLength = MagicLength + 4 * rank;
        var sizes = new byte[4 * rank];
        got = stream.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false);
        if (got < sizes.Length)
            throw new IdxFormatException(source,
                $"truncated header: it declares {rank} dimensions ({headerLength} header bytes) but the file has only {MagicLength + got} bytes.");
        var dims = new int[rank];
        long count = 1;
        int elementSize = IdxElementTypes.SizeOf(type);
        bool overflow = false;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(sizes.AsSpan(4 * d, 4));
            if (size > int.MaxValue)
                throw new IdxFormatException(source, $"dimension {d} has an impossible size {size}.");
            dims[d] = (int)size;
            try { count = checked(count * size); } catch (OverflowException) { overflow = true; }
        }
        string shape = $"[{string.Join(", ", dims)}] of {type}";
        long expected = 0;
        if (!overflow && dims.All(d => d > 0))
        {
            try { expected = checked(count * elementSize); } catch (OverflowException) { overflow = true; }
        }
        if (dims.Any(d => d == 0)) count = 0;
        if (overflow && count != 0)
            throw new IdxFormatException(source, $"the header declares {shape}: more elements than any file can hold (the count overflows 64 bits).");
        if (count > Array.MaxLength)
            throw new IdxFormatException(source, $"the header declares {shape}: {count} elements are more than one .NET array can hold.");

        long actual = totalLength(headerLength + expected) - headerLength;
        if (actual < expected)
            throw new IdxFormatException(source,
                $"truncated data: the header declares {shape} ({expected} data bytes) but only {actual} bytes follow the header.");
        if (actual > expected)
            throw new IdxFormatException(source,
                $"header/length mismatch: the header declares {shape} ({expected} data bytes) but {actual} bytes follow the header ({actual - expected} trailing bytes).");

        int n = (int)count;
        Array values = type switch
        {
            IdxElementType.UByte => Decode<byte>(stream, n, source, shape, expected),
            IdxElementType.SByte => Decode<sbyte>(stream, n, source, shape, expected),
            IdxElementType.Short => Decode<short>(stream, n, source, shape, expected),
            IdxElementType.Int => Decode<int>(stream, n, source, shape, expected),
            IdxElementType.Float => Decode<float>(stream, n, source, shape, expected),
            IdxElementType.Double => Decode<double>(stream, n, source, shape, expected),
            _ => throw new IdxFormatException(source, $"unsupported element type {type}."),
        };
        // A stream that is longer than it said (a gzip whose trailer agreed by accident) is still refused.
        long extra = Drain(stream);
        if (extra > 0)
            throw new IdxFormatException(source,
                $"header/length mismatch: the header declares {shape} ({expected} data bytes) but {expected + extra} bytes follow the header ({extra} trailing bytes).");
        return new IdxData(type, dims, values);
    }

    /// <summary>Reads big-endian elements chunk by chunk into a native-order array.</summary>
    private static T[] Decode<T>(Stream stream, int count, string source, string shape, long expected) where T : unmanaged
    {
        var result = new T[count];
        int size = Marshal.SizeOf<T>();
        for (int start = 0; start < count; start += ChunkElements)
        {
            int n = Math.Min(ChunkElements, count - start);
            var bytes = MemoryMarshal.AsBytes(result.AsSpan(start, n));
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length)
                throw new IdxFormatException(source,
                    $"truncated data: the header declares {shape} ({expected} data bytes) but only {(long)start * size + got} bytes follow the header.");
            if (BitConverter.IsLittleEndian && size > 1)
                Endianness.Swap(bytes, size);
        }
        return result;
    }

    private static long Drain(Stream stream)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        for (int got; (got = stream.Read(buffer)) > 0;) total += got;
        return total;
    }

    /// <summary>The last four bytes of a gzip file: the decompressed size modulo 2^32 (RFC 1952 ISIZE), or null when too short.</summary>
    private static uint? GzipTrailerSize(FileStream file)
    {
        if (file.Length < 18) return null;
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        file.ReadExactly(trailer);
        file.Position = 0;
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    private static long DecompressedLength(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        return Drain(gzip);
    }
}
