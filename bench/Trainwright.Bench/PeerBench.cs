using System.Diagnostics;
using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Metrics;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Schedules;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// The peer: Trainwright's default MLP epoch (Learner.Fit with the standard callbacks, batch 64, SGD momentum 0.9, the
/// default loss) beside the same loop hand-written in PyTorch from Python (bench/peer/mnist_mlp.py), run in the same
/// bench run right after ours. Needs Debian's python3-torch (/usr/bin/python3); says so when it is missing.
/// </summary>
public static class PeerBench
{
    private const string Python = "/usr/bin/python3";
    private const int Rounds = 11;

    /// <summary>One figure: our median epoch beside the peer's, and the ratio.</summary>
    public static IEnumerable<Figure> Run()
    {
        string? script = FindScript();
        if (script is null || !PeerInstalled())
        {
            yield return new Figure("MLP 784-50-10 epoch vs PyTorch from Python", "peer not installed",
                $"needs {Python} with torch: apt-get install python3-torch libopenblas0-pthread", "≤ 1.0× (moonshot ≤ 0.83×)", null);
            yield break;
        }
        double ours = OurMedianSeconds();
        var (peer, peerVersion) = PeerMedianSeconds(script);
        double ratio = ours / peer;
        yield return new Figure($"MLP 784-50-10, bs 64, 1 epoch + validation, median of {Rounds}",
            $"{ours:F3} s (ratio {ratio:F3})", $"{peer:F3} s, {peerVersion}", "≤ 1.0× (moonshot ≤ 0.83×)", ratio <= 1.0);
        double raw = RawMedianSeconds();
        yield return new Figure("the same epoch as a raw TorchSharp loop (RawTorchSharpLoop)", $"{raw:F3} s (ratio {raw / peer:F3})",
            $"{peer:F3} s", "", null);
        // Where a hand-written TorchSharp loop loses: libtorch's BLAS against Debian's OpenBLAS on the same products.
        var peerGemm = PeerGemmMicroseconds(script);
        foreach (var (name, ourUs) in OurGemmMicroseconds())
            yield return new Figure($"GEMM of the MLP's first layer, bs 64: {name}", $"{ourUs:F1} µs (ratio {ourUs / peerGemm[name]:F2})",
                $"{peerGemm[name]:F1} µs", "", null);
    }

    private static double RawMedianSeconds()
    {
        using var mnist = MnistData.Bundled();
        var times = new List<double>();
        var losses = new List<float>();
        for (int r = 0; r <= Rounds; r++)
        {
            manual_seed(0);
            using var model = Mlp.Create(784, 50, 10);
            losses.Clear();
            GC.Collect();
            var sw = Stopwatch.StartNew();
            RawTorchSharpLoop.Epoch(model, mnist.TrainX, mnist.TrainY, mnist.ValidX, mnist.ValidY, 64, _ => 0.1, x => x, losses);
            if (r > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        return Stats.Median(times);
    }

    private static IEnumerable<(string Name, double Microseconds)> OurGemmMicroseconds()
    {
        using var x = randn(64, 784);
        using var w = randn(50, 784);
        using var g = randn(64, 50);
        foreach (var (name, f) in new (string, Func<Tensor>)[] { ("forward", () => nn.functional.linear(x, w)), ("weight_grad", () => g.t().mm(x)) })
        {
            for (int i = 0; i < 200; i++) { using var scope = NewDisposeScope(); f(); }
            var rounds = new List<double>();
            for (int r = 0; r < 9; r++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < 1000; i++) { using var scope = NewDisposeScope(); f(); }
                rounds.Add(sw.Elapsed.TotalMilliseconds);
            }
            yield return (name, Stats.Median(rounds)); // ms per 1000 = µs each
        }
    }

    private static Dictionary<string, double> PeerGemmMicroseconds(string script)
    {
        var (code, output) = RunPython(script, "--gemm", "--threads", TorchSharp.torch.get_num_threads().ToString(CultureInfo.InvariantCulture));
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ');
            if (parts is ["gemm_us", var name, var us]) result[name] = double.Parse(us, CultureInfo.InvariantCulture);
        }
        if (code != 0 || result.Count != 2) throw new InvalidOperationException($"The peer script's --gemm failed (exit {code}):\n{output}");
        return result;
    }

    private static double OurMedianSeconds()
    {
        using var mnist = MnistData.Bundled();
        var data = mnist.ToDataBunch(64, seed: 1);
        var times = new List<double>();
        for (int r = 0; r <= Rounds; r++) // the first round warms up
        {
            var learner = new Learner(Mlp.Create(784, 50, 10), data, LossFunctions.CrossEntropyLoss, Sgd.Factory(mom: 0.9), 0.1,
                [new AvgStats(ClassificationMetrics.Accuracy), new Recorder(), new ProgressDisplay(TextWriter.Null)]);
            GC.Collect();
            var sw = Stopwatch.StartNew();
            learner.Fit(1);
            if (r > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        return Stats.Median(times);
    }

    private static (double Seconds, string Version) PeerMedianSeconds(string script)
    {
        var (code, output) = RunPython(script, "--rounds", Rounds.ToString(CultureInfo.InvariantCulture), "--threads",
            TorchSharp.torch.get_num_threads().ToString(CultureInfo.InvariantCulture));
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var median = lines.FirstOrDefault(l => l.StartsWith("median_s_per_epoch ", StringComparison.Ordinal));
        if (code != 0 || median is null)
            throw new InvalidOperationException($"The peer script failed (exit {code}):\n{output}");
        var version = lines.FirstOrDefault(l => l.StartsWith("torch ", StringComparison.Ordinal)) ?? "torch";
        return (double.Parse(median["median_s_per_epoch ".Length..], CultureInfo.InvariantCulture), "PyTorch " + version["torch ".Length..]);
    }

    private static bool PeerInstalled() =>
        File.Exists(Python) && RunPython("-c", "import torch").Code == 0;

    private static (int Code, string Output) RunPython(params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Some machines set these to work around old OpenBLAS builds; they pin a slower kernel for Debian's current
        // one, so the peer runs without them (both together, in its process only).
        start.Environment.Remove("OPENBLAS_CORETYPE");
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "peer", "mnist_mlp.py");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
