using Trainwright.Data.Images;
using Trainwright.Distributed;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Images;

/// <summary>
/// Two processes of a data-parallel group, played by two threads: each decodes its share of an image folder, the
/// shares are exchanged, and both end with exactly what one process decoding everything gets, bad files included.
/// </summary>
public class SharedDecodeTests
{
    /// <summary>A group of <see cref="Size"/> ranks on threads of this process: every call meets the others at a barrier.</summary>
    private sealed class ThreadGroup(int size) : IDisposable
    {
        private readonly Barrier barrier = new(size);
        private readonly object?[] slots = new object?[size];

        public int Size => size;

        public ICommunicator Rank(int rank) => new Member(this, rank);

        public void Dispose() => barrier.Dispose();

        private sealed class Member(ThreadGroup group, int rank) : ICommunicator
        {
            public int Rank => rank;
            public int Size => group.Size;

            public void AllReduce(Tensor buffer, ReduceOp op) => throw new NotSupportedException();

            public void AllReduce<T>(T[] values, ReduceOp op) where T : unmanaged
            {
                var mine = (long[])(object)values;
                group.slots[rank] = mine.ToArray();
                group.barrier.SignalAndWait();
                for (int i = 0; i < mine.Length; i++)
                {
                    var all = group.slots.Select(s => ((long[])s!)[i]).ToArray();
                    mine[i] = op switch { ReduceOp.Min => all.Min(), ReduceOp.Max => all.Max(), _ => all.Sum() };
                }
                group.barrier.SignalAndWait();
            }

            public void Broadcast(Tensor buffer, int root) => throw new NotSupportedException();

            public void Broadcast<T>(T[] values, int root) where T : unmanaged
            {
                if (rank == root) group.slots[root] = values;
                group.barrier.SignalAndWait();
                if (rank != root) ((T[])group.slots[root]!).CopyTo(values, 0);
                group.barrier.SignalAndWait();
            }

            public void Barrier() => group.barrier.SignalAndWait();
        }
    }

    private sealed class Collect(List<ImageLoadProgress> into) : IProgress<ImageLoadProgress>
    {
        public void Report(ImageLoadProgress value) { lock (into) into.Add(value); }
    }

    [Fact]
    public void Each_rank_decodes_its_share_and_both_end_with_the_single_process_result()
    {
        using var tmp = new TempFolder();
        var (images, labels) = ImageFiles.Mnist(40);
        for (int i = 0; i < 40; i++)
            ImageFiles.Write(tmp.File("data", i < 30 ? "train" : "valid", $"c{labels[i] % 2}", $"{i:00}.png"), images[i], 28, 28, 1);
        // The last file of the list (rank 1's share) does not decode.
        File.WriteAllText(tmp.File("data", "valid", "c1", "zz.png"), "not a PNG");
        var options = new ImageFolderOptions { SkipBadImages = true, DecodeWorkers = 1, Size = 20, UseCache = false };

        using var alone = ImageFolderData.Load(tmp.File("data"), options);
        using var group = new ThreadGroup(2);
        var progress = new[] { new List<ImageLoadProgress>(), new List<ImageLoadProgress>() };
        var loaded = new ImageFolderData?[2];
        var ranks = Enumerable.Range(0, 2).Select(r => new Thread(() =>
            loaded[r] = ImageFolderData.Load(tmp.File("data"), options with
            {
                Communicator = group.Rank(r),
                Progress = new Collect(progress[r]),
                CacheFolder = tmp.File("cache"),
                UseCache = true,
            }))).ToArray();
        foreach (var t in ranks) t.Start();
        foreach (var t in ranks) Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a rank did not finish");
        try
        {
            for (int r = 0; r < 2; r++)
            {
                var data = loaded[r]!;
                // 41 files: rank 0 decodes the first 20, rank 1 the other 21.
                Assert.Equal(r == 0 ? 20 : 21, progress[r].Last(p => p.Phase == "Decoding").Total);
                Assert.True(data.Train.X.Equals(alone.Train.X), $"rank {r} training images");
                Assert.True(data.Valid.X.Equals(alone.Valid.X), $"rank {r} validation images");
                Assert.True(data.Train.Y.Equals(alone.Train.Y));
                Assert.Equal(alone.Preprocessing.Mean, data.Preprocessing.Mean);
                Assert.Equal(alone.Preprocessing.Std, data.Preprocessing.Std);
                Assert.Equal(alone.SizeStats, data.SizeStats);
                var skipped = Assert.Single(data.Skipped);
                Assert.Equal(alone.Skipped.Single(), skipped);
                Assert.EndsWith("zz.png", skipped.Path, StringComparison.Ordinal);
                Assert.NotNull(data.CacheFile); // process 0 wrote the cache; both mapped it
            }
        }
        finally
        {
            foreach (var d in loaded) d?.Dispose();
        }
    }
}
