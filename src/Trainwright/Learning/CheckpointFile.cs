using System.Security.Cryptography;
using System.Text;

namespace Trainwright.Learning;

/// <summary>
/// The checkpoint container (format version 2): the magic string, the format version, the section count, then for each
/// section its length and SHA-256, then the sections. Every length is checked against the file's size before anything is
/// allocated, and every section read is checked against its hash before it is parsed, so a damaged file (truncated, a
/// flipped bit, a length set to an extreme) is refused with one message naming it and never reaches libtorch.
/// </summary>
internal static class CheckpointFile
{
    public const string Magic = "TRAINWRIGHT-CKPT";
    public const int FormatVersion = 2;
    private const int HashLength = 32;

    /// <summary>The sections, in order: header (signature, position, metadata), model weights, optimizer state, RNG state.</summary>
    public const int Header = 0, Model = 1, Optimizer = 2, Rng = 3, SectionCount = 4;

    public static void Write(Stream stream, IReadOnlyList<byte[]> sections)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(sections.Count);
        foreach (var s in sections)
        {
            w.Write((long)s.Length);
            w.Write(SHA256.HashData(s));
        }
        foreach (var s in sections) w.Write(s);
    }

    /// <summary>Reads and verifies the first <paramref name="count"/> sections of the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">It is not a checkpoint, has another format version, or is damaged.</exception>
    public static byte[][] Read(string path, int count)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        if (Data.RegularFile.WhatElse(path) is { } kind)
            throw new InvalidDataException($"Checkpoint '{path}' is {kind}, not a regular file.");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        long fileLength = stream.Length;
        try
        {
            // The magic string is written with a one-byte length prefix: check it byte by byte, so a foreign file never
            // makes BinaryReader read an arbitrary string length.
            var expectedMagic = Encoding.ASCII.GetBytes(Magic);
            var magic = r.ReadBytes(1 + expectedMagic.Length);
            if (magic.Length < 1 + expectedMagic.Length || magic[0] != expectedMagic.Length || !magic.AsSpan(1).SequenceEqual(expectedMagic))
                throw new InvalidDataException($"'{path}' is not a Trainwright checkpoint.");
            int version = r.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException(
                    $"Checkpoint '{path}' has format version {version}; this build reads version {FormatVersion}"
                    + (version is > 0 and < FormatVersion ? " (older checkpoints carry no checksums: train again to write a new one)." : "."));
            int sections = r.ReadInt32();
            if (sections != SectionCount)
                throw Damaged(path, $"it declares {sections} sections instead of {SectionCount}");
            var lengths = new long[sections];
            var hashes = new byte[sections][];
            for (int i = 0; i < sections; i++)
            {
                lengths[i] = r.ReadInt64();
                hashes[i] = r.ReadBytes(HashLength);
                if (hashes[i].Length < HashLength) throw new EndOfStreamException();
            }
            long available = fileLength - stream.Position, total = 0;
            for (int i = 0; i < sections; i++)
            {
                if (lengths[i] < 0 || lengths[i] > available - total)
                    throw new InvalidDataException(
                        $"Checkpoint '{path}' is truncated or damaged: section {i} declares {lengths[i]} bytes but the file has {Math.Max(0, available - total)} left. "
                        + "Use another checkpoint (e.g. checkpoint-best) or train again.");
                total += lengths[i];
            }
            if (total != available)
                throw Damaged(path, $"its sections declare {total} bytes but {available} follow the section table");
            if (lengths.Take(count).Any(l => l > Array.MaxLength))
                throw Damaged(path, "a section is larger than this build can read");

            var result = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                result[i] = r.ReadBytes((int)lengths[i]);
                if (result[i].Length != lengths[i]) throw new EndOfStreamException();
                if (!SHA256.HashData(result[i]).AsSpan().SequenceEqual(hashes[i]))
                    throw Damaged(path, $"the {SectionName(i)} section does not match its checksum");
            }
            return result;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated ({fileLength} bytes).", e);
        }
    }

    /// <summary>
    /// What is wrong with a CPU generator state, or null when libtorch will accept it. libtorch aborts the process (it
    /// cannot be caught) on an invalid mt19937 state, so its own check is repeated here first: the state starts with the
    /// seed (uint64), <c>left</c> (int32, 1..624), <c>seeded</c> (int32, 1) and <c>next</c> (uint64, at most 624).
    /// </summary>
    public static string? RngStateProblem(byte[] state, long expectedLength)
    {
        const int StateWords = 624;
        if (state.Length != expectedLength) return $"its random-number state has {state.Length} bytes, not {expectedLength}";
        if (state.Length < 24) return null; // not the mt19937 layout: nothing more to check
        int left = BitConverter.ToInt32(state, 8);
        int seeded = BitConverter.ToInt32(state, 12);
        ulong next = BitConverter.ToUInt64(state, 16);
        if (left is < 1 or > StateWords || seeded != 1 || next > StateWords)
            return "its random-number state is not a valid mt19937 state";
        return null;
    }

    public static InvalidDataException Damaged(string path, string problem) =>
        new($"Checkpoint '{path}' is damaged: {problem}. Use another checkpoint (e.g. checkpoint-best) or train again.");

    private static string SectionName(int i) => i switch
    {
        Header => "header",
        Model => "model weights",
        Optimizer => "optimizer state",
        Rng => "random-number state",
        _ => $"#{i}",
    };
}
