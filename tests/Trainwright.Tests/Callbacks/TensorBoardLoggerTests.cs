using System.Buffers.Binary;
using System.Text;
using Trainwright.Callbacks;
using Trainwright.Losses;
using Trainwright.Tests.Support;
using static TorchSharp.torch;
using Trainwright.Metrics;

namespace Trainwright.Tests.Callbacks;

public sealed class TensorBoardLoggerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("trainwright-tb-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Tensor Accuracy(Tensor pred, Tensor y) => pred.argmax(1).eq(y).to(ScalarType.Float32).mean();

    [Fact]
    public void WritesBatchAndEpochScalarsInTfRecordFramingThatMatchTheRecordedNumbers()
    {
        var stats = new AvgStats(new Metric("accuracy", Accuracy));
        var recorder = new Recorder();
        var logger = new TensorBoardLogger(dir, flushEvery: 3); // 5 batches an epoch: flushes mid-epoch and at its end
        Assert.Equal("TensorBoard", logger.Name);
        Tiny.Learner(callbacks: [stats, recorder, logger], lr: 0.07).Fit(2);

        var file = Assert.Single(Directory.GetFiles(dir, "events.out.tfevents.*"));
        var bytes = File.ReadAllBytes(file);
        Assert.NotEmpty(bytes);
        Assert.Contains("batch/train_loss", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);

        var scalars = TfEvents.Read(bytes);
        float[] Values(string tag) => [.. scalars.Where(s => s.Tag == tag).OrderBy(s => s.Step).Select(s => s.Value)];
        long[] Steps(string tag) => [.. scalars.Where(s => s.Tag == tag).Select(s => s.Step).Order()];

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), Steps("batch/train_loss"));
        Assert.Equal(recorder.Losses.Select(l => (float)l), Values("batch/train_loss"));
        Assert.All(Values("batch/lr_group0"), v => Assert.Equal(0.07f, v));
        Assert.Equal(10, Values("batch/lr_group0").Length);

        Assert.Equal([1L, 2L], Steps("epoch/valid_loss"));
        Assert.Equal(stats.History.Where(h => h.Training).Select(h => (float)h.Loss), Values("epoch/train_loss"));
        Assert.Equal(stats.History.Where(h => !h.Training).Select(h => (float)h.Loss), Values("epoch/valid_loss"));
        Assert.Equal(stats.History.Where(h => !h.Training).Select(h => (float)h.Metrics["accuracy"]), Values("epoch/valid_accuracy"));
        Assert.Equal(2, Values("epoch/train_accuracy").Length);
    }

    [Fact]
    public void WithoutAvgStatsOnlyBatchScalarsAreWritten()
    {
        Tiny.Learner(callbacks: [new TensorBoardLogger(dir)]).Fit(1);
        var scalars = TfEvents.Read(File.ReadAllBytes(Assert.Single(Directory.GetFiles(dir, "events.out.tfevents.*"))));
        Assert.Equal(5, scalars.Count(s => s.Tag == "batch/train_loss"));
        Assert.DoesNotContain(scalars, s => s.Tag.StartsWith("epoch/", StringComparison.Ordinal));
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new TensorBoardLogger(" "));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorBoardLogger(dir, flushEvery: 0));
    }

    /// <summary>
    /// Reads TFRecord framing (u64 length, masked CRC32C of the length, data, masked CRC32C of the data) and the parts of
    /// the Event proto that hold scalars: step (field 2), summary (5) → value (1) → tag (1), simple_value (2).
    /// </summary>
    private static class TfEvents
    {
        public static List<(string Tag, long Step, float Value)> Read(byte[] file)
        {
            var result = new List<(string, long, float)>();
            int pos = 0;
            while (pos < file.Length)
            {
                Assert.True(file.Length - pos >= 12, "truncated record header");
                var lengthBytes = file.AsSpan(pos, 8);
                ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
                Assert.Equal(MaskedCrc(lengthBytes), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 8, 4)));
                pos += 12;
                var data = file.AsSpan(pos, (int)length);
                Assert.Equal(MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + (int)length, 4)));
                pos += (int)length + 4;
                ReadEvent(data, result);
            }
            return result;
        }

        private static void ReadEvent(ReadOnlySpan<byte> e, List<(string, long, float)> into)
        {
            long step = 0;
            var values = new List<(string, float)>();
            foreach (var (field, wire, varint, bytes) in Fields(e))
            {
                if (field == 2 && wire == 0) step = (long)varint;
                if (field == 5 && wire == 2)
                    foreach (var (f, w, _, v) in Fields(bytes))
                        if (f == 1 && w == 2) values.Add(ReadValue(v));
            }
            foreach (var (tag, value) in values) into.Add((tag, step, value));
        }

        private static (string, float) ReadValue(byte[] v)
        {
            string tag = "";
            float value = float.NaN;
            foreach (var (f, w, _, b) in Fields(v))
            {
                if (f == 1 && w == 2) tag = Encoding.UTF8.GetString(b);
                if (f == 2 && w == 5) value = BinaryPrimitives.ReadSingleLittleEndian(b);
            }
            return (tag, value);
        }

        private static List<(int Field, int Wire, ulong Varint, byte[] Bytes)> Fields(ReadOnlySpan<byte> m)
        {
            var fields = new List<(int, int, ulong, byte[])>();
            int i = 0;
            while (i < m.Length)
            {
                ulong key = Varint(m, ref i);
                int field = (int)(key >> 3), wire = (int)(key & 7);
                switch (wire)
                {
                    case 0: fields.Add((field, wire, Varint(m, ref i), [])); break;
                    case 1: fields.Add((field, wire, 0, m.Slice(i, 8).ToArray())); i += 8; break;
                    case 2: int n = (int)Varint(m, ref i); fields.Add((field, wire, 0, m.Slice(i, n).ToArray())); i += n; break;
                    case 5: fields.Add((field, wire, 0, m.Slice(i, 4).ToArray())); i += 4; break;
                    default: throw new InvalidDataException($"unexpected wire type {wire}");
                }
            }
            return fields;
        }

        private static ulong Varint(ReadOnlySpan<byte> m, ref int i)
        {
            ulong v = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = m[i++];
                v |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return v;
            }
        }

        private static uint MaskedCrc(ReadOnlySpan<byte> data)
        {
            uint crc = Crc32C(data);
            return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
        }

        // Bitwise CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
        private static uint Crc32C(ReadOnlySpan<byte> data)
        {
            uint crc = 0xFFFFFFFFu;
            foreach (byte b in data)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
            return ~crc;
        }
    }
}
