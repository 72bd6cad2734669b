using Trainwright.Data;

namespace Trainwright.Tests.Data;

/// <summary>
/// Fuzzes the IDX reader with real files (the bundled MNIST labels and a slice of its images): truncations, bit flips
/// and header fields set to extremes. Only <see cref="IdxFormatException"/> may come out, memory stays bounded, and a
/// file that parses has exactly the size its header declares.
/// </summary>
public sealed class IdxFuzzTests
{
    private static byte[] RealFile()
    {
        var dir = MnistData.FindBundledDirectory() ?? throw new InvalidOperationException("bundled MNIST not found");
        var images = IdxReader.Read(Path.Combine(dir, MnistData.TestImagesName + ".gz"));
        var pixels = ((byte[])images.Values)[..(20 * 28 * 28)];
        return IdxWriter.Encode(IdxData.From(pixels, 20, 28, 28));
    }

    [Fact]
    public void Fuzzed_idx_content_gives_only_IdxFormatException_with_bounded_memory()
    {
        var good = RealFile();
        var random = new Random(99);
        uint[] extremes = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 30, 65_536];
        const int cases = 3000;
        int parsed = 0;
        for (int c = 0; c < cases; c++)
        {
            var bytes = (byte[])good.Clone();
            switch (c % 4)
            {
                case 0:
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 1:
                    for (int flips = 1 + random.Next(3); flips > 0; flips--)
                    {
                        int at = random.Next(2) == 0 ? random.Next(16) : random.Next(bytes.Length); // the header half the time
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }
                    break;
                case 2:
                    uint v = extremes[random.Next(extremes.Length)];
                    int field = 4 + 4 * random.Next(3);
                    bytes[field] = (byte)(v >> 24); bytes[field + 1] = (byte)(v >> 16); bytes[field + 2] = (byte)(v >> 8); bytes[field + 3] = (byte)v;
                    break;
                default:
                    bytes[random.Next(4)] = (byte)random.Next(256); // the magic: type code and rank
                    break;
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var data = IdxReader.Parse(bytes, "fuzz");
                parsed++;
                Assert.Equal(bytes.Length - 4 - 4 * data.Rank, data.ElementCount * IdxElementTypes.SizeOf(data.ElementType));
            }
            catch (IdxFormatException e)
            {
                Assert.Contains("fuzz", e.Message, StringComparison.Ordinal);
            }
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8L * good.Length + (1 << 20), $"case {c}: memory not bounded");
        }
        Assert.InRange(parsed, 1, cases - 1);
    }
}
