using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Trainwright.Distributed;
using static TorchSharp.torch;

namespace Trainwright.DistributedHost;

/// <summary>Times the in-place all-reduce of float32 buffers of a few sizes (the benchmark reads rank 0's file).</summary>
internal static class AllReduceTiming
{
    public static int Run(Options o)
    {
        var startup = Mpi.TryInitialize();
        if (startup.Mpi is not { } mpi)
        {
            Console.Error.WriteLine(startup.Message);
            return 4;
        }
        int reps = o.Int("reps", 20);
        var sizes = o.String("sizes-mb", "1,4,16").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var medians = new Dictionary<string, double>();
        foreach (var mb in sizes)
        {
            using var buffer = ones((long)(mb * 1024 * 1024 / sizeof(float)), dtype: ScalarType.Float32);
            mpi.AllReduce(buffer, ReduceOp.Sum); // warm-up: connections, page faults
            var ms = new List<double>();
            for (int i = 0; i < reps; i++)
            {
                mpi.Barrier(); // start together, so the time is the collective's, not waiting for a late process
                long t0 = Stopwatch.GetTimestamp();
                mpi.AllReduce(buffer, ReduceOp.Sum);
                ms.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            ms.Sort();
            medians[mb.ToString(CultureInfo.InvariantCulture)] = ms[ms.Count / 2];
        }
        string dir = Path.Combine(o.String("out"), $"rank{mpi.Rank}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "allreduce.json"), JsonSerializer.Serialize(new { size = mpi.Size, reps, medianMs = medians }));
        mpi.Dispose();
        return 0;
    }
}
