using System.Diagnostics;
using TorchSharp;
using Trainwright.Data;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// Data loading: one shuffled epoch over MNIST's 50,000 training items with batch size 64, ours against TorchSharp's
/// DataLoader and against the bare floor (randperm + index_select); then a dataset with an expensive per-item transform
/// and a dataset whose items wait on I/O, each loaded with 2 workers against none.
/// </summary>
public static class DataLoaderBench
{
    private const int BatchSize = 64;

    /// <summary>Runs the four comparisons (well under two minutes on two cores).</summary>
    public static IEnumerable<Comparison> Run()
    {
        using var data = MnistData.Bundled(new MnistOptions { MaxValidItems = 1000, MaxTestItems = 1000 });
        var x = data.TrainX;
        var y = data.TrainY;
        var ours = new DataLoader<(Tensor X, Tensor Y)>(new TensorPairDataset(x, y), BatchSize, shuffle: true, seed: 1);

        void OursEpoch()
        {
            foreach (var batch in ours) batch.Dispose();
        }

        // TorchSharp's loader over its own TensorPairDataset; it disposes each batch on the next MoveNext. The dataset
        // is not disposed (it would dispose MNIST's tensors, which `data` owns).
        var theirsDataset = torch.utils.data.TensorDataset(x, y);
        using var theirs = torch.utils.data.DataLoader(theirsDataset, BatchSize, shuffle: true, seed: 1, disposeDataset: false);

        void TheirsEpoch()
        {
            foreach (var _ in theirs) { }
        }

        void FloorEpoch()
        {
            int n = (int)x.shape[0];
            using var perm = randperm(n);
            for (int start = 0; start < n; start += BatchSize)
            {
                using var idx = perm.narrow(0, start, Math.Min(BatchSize, n - start));
                using var xb = x.index_select(0, idx);
                using var yb = y.index_select(0, idx);
            }
        }

        var (oursVsTheirs, theirsMs) = Interleaved.Time(OursEpoch, TheirsEpoch, repetitions: 5);
        var vsTheirs = new Comparison("DataLoader epoch, MNIST 50k, bs 64, shuffled", "Trainwright DataLoader",
            "TorchSharp torch.utils.data.DataLoader", oursVsTheirs, theirsMs, "≤ 0.10× (≥ 10× faster)",
            Stats.Median(oursVsTheirs) / Stats.Median(theirsMs) <= 0.10);
        yield return vsTheirs;

        var (oursVsFloor, floorMs) = Interleaved.Time(OursEpoch, FloorEpoch, repetitions: 15, warmup: 2);
        yield return new Comparison("DataLoader epoch vs floor, MNIST 50k, bs 64, shuffled", "Trainwright DataLoader",
            "randperm + index_select loop", oursVsFloor, floorMs, "≤ 1.50×",
            Stats.Median(oursVsFloor) / Stats.Median(floorMs) <= 1.50);

        // Expensive per-item transform: a fixed amount of CPU work (~0.2 ms single-threaded) per item.
        long iterations = CalibrateSpin(TimeSpan.FromMilliseconds(0.2));
        var heavy = new SpinDataset(2000, iterations);
        var serial = new DataLoader<(Tensor X, Tensor Y)>(heavy, 32, shuffle: true, seed: 2);
        var parallel = new DataLoader<(Tensor X, Tensor Y)>(heavy, 32, shuffle: true, seed: 2, numWorkers: 2);
        var (parallelMs, serialMs) = Interleaved.Time(
            () => { foreach (var b in parallel) b.Dispose(); },
            () => { foreach (var b in serial) b.Dispose(); },
            repetitions: 5);
        yield return new Comparison("Expensive transform (0.2 ms/item), 2,000 items, bs 32", "NumWorkers = 2",
            "NumWorkers = 0", parallelMs, serialMs, "≤ 0.75× (speed-up ≥ 1.33×)",
            Stats.Median(parallelMs) / Stats.Median(serialMs) <= 0.75);

        // Waiting items: shows the pipelining itself, independent of how many cores are free.
        var waiting = new SleepDataset(400);
        var waitSerial = new DataLoader<(Tensor X, Tensor Y)>(waiting, 32);
        var waitParallel = new DataLoader<(Tensor X, Tensor Y)>(waiting, 32, numWorkers: 2);
        var (waitParallelMs, waitSerialMs) = Interleaved.Time(
            () => { foreach (var b in waitParallel) b.Dispose(); },
            () => { foreach (var b in waitSerial) b.Dispose(); },
            repetitions: 3);
        yield return new Comparison("Waiting items (1 ms sleep/item), 400 items, bs 32", "NumWorkers = 2",
            "NumWorkers = 0", waitParallelMs, waitSerialMs, "≤ 0.60× (speed-up ≥ 1.67×)",
            Stats.Median(waitParallelMs) / Stats.Median(waitSerialMs) <= 0.60);
    }

    /// <summary>Items whose fetch waits 1 ms without using the CPU (a stand-in for reading from disk or network).</summary>
    private sealed class SleepDataset(int count) : IDataset<(Tensor X, Tensor Y)>
    {
        public int Count => count;

        public (Tensor X, Tensor Y) this[int index]
        {
            get
            {
                Thread.Sleep(1);
                return (tensor(new float[] { index }), tensor((long)(index % 10)));
            }
        }
    }

    /// <summary>Iterations of <see cref="SpinDataset.Spin"/> that take about <paramref name="target"/> on one thread.</summary>
    private static long CalibrateSpin(TimeSpan target)
    {
        const long probe = 2_000_000;
        SpinDataset.Spin(probe); // warm up the JIT
        var best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            SpinDataset.Spin(probe);
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        return (long)(probe * target.TotalMilliseconds / best);
    }

    /// <summary>Items whose fetch burns a fixed amount of CPU (a stand-in for decoding and augmentation).</summary>
    private sealed class SpinDataset(int count, long iterations) : IDataset<(Tensor X, Tensor Y)>
    {
        public int Count => count;

        public (Tensor X, Tensor Y) this[int index]
        {
            get
            {
                ulong h = Spin(iterations + (index & 1));
                return (tensor(new float[] { index, h % 7 }), tensor((long)(index % 10)));
            }
        }

        /// <summary>A linear congruential loop the JIT cannot remove (its result is used).</summary>
        public static ulong Spin(long n)
        {
            ulong h = 1469598103934665603UL;
            for (long i = 0; i < n; i++) h = h * 6364136223846793005UL + 1442695040888963407UL;
            return h;
        }
    }
}
