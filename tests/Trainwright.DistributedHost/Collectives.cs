using System.Text.Json;
using Trainwright.Distributed;
using static TorchSharp.torch;

namespace Trainwright.DistributedHost;

/// <summary>
/// Exercises every collective of the binding with rank-dependent inputs and writes what came back, so the test can check
/// each result against its closed form.
/// </summary>
internal static class Collectives
{
    public static int Run(Options o)
    {
        var startup = Mpi.TryInitialize();
        if (startup.Mpi is not { } mpi)
        {
            Console.Error.WriteLine(startup.Message);
            return 4;
        }
        int r = mpi.Rank;
        string dir = Path.Combine(o.String("out"), $"rank{r}");
        Directory.CreateDirectory(dir);

        // Sum of a float32 tensor: element i is (r + 1) + 0.5 i on rank r.
        using var f32 = arange(5, dtype: ScalarType.Float32).mul(0.5).add(r + 1);
        mpi.AllReduce(f32, ReduceOp.Sum);

        // Max of a float64 tensor and of a double array.
        using var f64 = tensor(new double[] { r, -r, r * 0.25 });
        mpi.AllReduce(f64, ReduceOp.Max);
        var minArray = new double[] { r, -r };
        mpi.AllReduce(minArray, ReduceOp.Min);

        // Sum of int64 values beyond 2^32, as a tensor and as an array.
        using var i64 = tensor(new long[] { (1L << 40) + r, r * 3L });
        mpi.AllReduce(i64, ReduceOp.Sum);
        var longArray = new long[] { (1L << 35) * (r + 1) };
        mpi.AllReduce(longArray, ReduceOp.Sum);

        // A view that starts inside its storage: only elements 2..4 may change.
        using var whole = full(6, r + 1.0f, dtype: ScalarType.Float32);
        using (var view = whole.narrow(0, 2, 3)) mpi.AllReduce(view, ReduceOp.Sum);

        // Broadcasts from rank 1 (a tensor) and rank 0 (bytes).
        using var fromOne = full(4, r == 1 ? 7.0 : -1.0, dtype: ScalarType.Float64);
        mpi.Broadcast(fromOne, root: Math.Min(1, mpi.Size - 1));
        var bytes = r == 0 ? "hello"u8.ToArray() : new byte[5];
        mpi.Broadcast(bytes, root: 0);

        mpi.Barrier();
        var result = new Dictionary<string, object>
        {
            ["rank"] = r,
            ["size"] = mpi.Size,
            ["threadLevel"] = mpi.ThreadLevel,
            ["sumFloat32"] = f32.data<float>().ToArray(),
            ["maxFloat64"] = f64.data<double>().ToArray(),
            ["minDoubleArray"] = minArray,
            ["sumInt64"] = i64.data<long>().ToArray(),
            ["sumLongArray"] = longArray,
            ["viewSum"] = whole.data<float>().ToArray(),
            ["broadcastFromOne"] = fromOne.data<double>().ToArray(),
            ["broadcastBytes"] = System.Text.Encoding.ASCII.GetString(bytes),
        };
        File.WriteAllText(Path.Combine(dir, "collectives.json"), JsonSerializer.Serialize(result));
        mpi.Dispose();
        return 0;
    }
}
