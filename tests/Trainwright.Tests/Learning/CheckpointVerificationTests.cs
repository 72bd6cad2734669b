using System.Security.Cryptography;
using System.Text;
using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Tests.Support;

namespace Trainwright.Tests.Learning;

/// <summary>
/// Issue 14, case 6, and its fuzzing principle: every damage to a checkpoint (truncation, bit flips, lengths set to
/// extremes, a forged random-number state) is an <see cref="InvalidDataException"/> naming the file, with bounded memory
/// and never a native abort.
/// </summary>
public sealed class CheckpointVerificationTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("tw-ckpt-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private string Saved()
    {
        var save = new SaveModel(dir, monitor: null);
        Tiny.Learner(callbacks: [save]).Fit(1);
        return save.LastPath;
    }

    // Layout of format 2: magic (1 + 16 bytes), version, section count, then (int64 length, 32-byte SHA-256) per section.
    private const int TableStart = 17 + 4 + 4, EntryLength = 8 + 32, Sections = 4;

    private static List<byte[]> SectionsOf(byte[] file)
    {
        var sections = new List<byte[]>();
        long at = TableStart + Sections * EntryLength;
        for (int i = 0; i < Sections; i++)
        {
            long length = BitConverter.ToInt64(file, TableStart + i * EntryLength);
            sections.Add(file[(int)at..(int)(at + length)]);
            at += length;
        }
        return sections;
    }

    /// <summary>Writes a well-formed file (correct hashes) around the given sections, as a forger would.</summary>
    private static byte[] Forge(IReadOnlyList<byte[]> sections)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write("TRAINWRIGHT-CKPT");
            w.Write(2);
            w.Write(sections.Count);
            foreach (var s in sections) { w.Write((long)s.Length); w.Write(SHA256.HashData(s)); }
            foreach (var s in sections) w.Write(s);
        }
        return ms.ToArray();
    }

    [Fact]
    public void Each_section_is_checksummed_and_a_forged_random_state_never_reaches_libtorch()
    {
        var path = Saved();
        var good = File.ReadAllBytes(path);
        var sections = SectionsOf(good);
        Assert.Equal(good, Forge(sections)); // the test's reading of the layout is the writer's

        // Corrupted weights (one float changed, as in the issue) no longer load silently.
        var weights = (byte[])good.Clone();
        weights[^(sections[3].Length + sections[2].Length + 10)] ^= 0x40;
        File.WriteAllBytes(path + "-weights", weights);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path + "-weights", Tiny.Learner()));
        Assert.Contains(path + "-weights", e.Message, StringComparison.Ordinal);
        Assert.Contains("model weights section does not match its checksum", e.Message, StringComparison.Ordinal);

        // A random-number state with valid checksums but an impossible mt19937 state (libtorch would abort the process).
        var rng = (byte[])sections[3].Clone();
        BitConverter.GetBytes(100_000).CopyTo(rng, 8); // left > 624
        File.WriteAllBytes(path + "-rng", Forge([sections[0], sections[1], sections[2], rng]));
        Assert.Contains("not a valid mt19937 state",
            Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path + "-rng", Tiny.Learner(), restoreRandomState: true)).Message, StringComparison.Ordinal);
        File.WriteAllBytes(path + "-short-rng", Forge([sections[0], sections[1], sections[2], rng[..100]]));
        Assert.Contains("random-number state has 100 bytes",
            Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path + "-short-rng", Tiny.Learner(), restoreRandomState: true)).Message, StringComparison.Ordinal);

        // The real state passes the same check, and still restores.
        Checkpoint.Load(path, Tiny.Learner(), restoreRandomState: true);

        // A version-1 file (no checksums) is refused with its version.
        var v1 = (byte[])good.Clone();
        BitConverter.GetBytes(1).CopyTo(v1, 17);
        File.WriteAllBytes(path + "-v1", v1);
        Assert.Contains("format version 1", Assert.Throws<InvalidDataException>(() => Checkpoint.ReadInfo(path + "-v1")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzz_truncations_bit_flips_and_extreme_lengths_give_only_InvalidDataException()
    {
        var path = Saved();
        var good = File.ReadAllBytes(path);
        var random = new Random(1234);
        var target = Path.Combine(dir, "fuzzed");
        var learner = Tiny.Learner();
        byte[][] extremes = [BitConverter.GetBytes(long.MaxValue), BitConverter.GetBytes(long.MinValue), BitConverter.GetBytes(-1L),
            BitConverter.GetBytes((long)int.MaxValue), BitConverter.GetBytes((long)good.Length), new byte[8]];
        const int cases = 1000;
        for (int c = 0; c < cases; c++)
        {
            var bytes = (byte[])good.Clone();
            switch (c % 4)
            {
                case 0:
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 1:
                    for (int flips = 1 + random.Next(3); flips > 0; flips--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 2: // a length field of the section table, or any int32/int64 field of the header, set to an extreme
                    int at = random.Next(2) == 0 ? TableStart + random.Next(Sections) * EntryLength : random.Next(bytes.Length - 8);
                    extremes[random.Next(extremes.Length)].CopyTo(bytes, at);
                    break;
                default:
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    break;
            }
            File.WriteAllBytes(target, bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Checkpoint.Load(target, learner, restoreRandomState: true);
                Assert.True(bytes.AsSpan().SequenceEqual(good), $"case {c}: a damaged checkpoint loaded");
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(target, e.Message, StringComparison.Ordinal);
            }
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * good.Length + (1 << 20), $"case {c}: memory not bounded");
        }
    }
}
