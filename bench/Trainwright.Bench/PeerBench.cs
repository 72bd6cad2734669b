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
/// default loss) beside the same loop hand-written in PyTorch from Python (bench/peer/mnist_mlp.py), run in blocks that
/// alternate between the two processes. Needs Debian's python3-torch (/usr/bin/python3); says so when it is missing.
/// </summary>
/// <remarks>
/// Debian's PyTorch runs its matrix products in OpenBLAS's own thread pool, which <c>torch.set_num_threads(1)</c> does
/// not limit: at "one thread" the peer's products still use every core. So the peer is measured three ways: one thread
/// each (OpenBLAS limited too, the like-for-like goal), one libtorch thread with OpenBLAS's pool as the issue measured
/// it, each side's default for every core (ours: the command's default, every core with a <see cref="ThreadTuner"/>), and
/// our default against the peer's fastest configuration here.
/// </remarks>
public static class PeerBench
{
    private const string Python = "/usr/bin/python3";
    private const int Blocks = 3;
    private const int RoundsPerBlock = 4;
    private const string Goal = "≤ 1.0× (moonshot ≤ 0.83×)";

    /// <summary>Our epoch beside the peer's in each configuration, then the raw loop and the two products.</summary>
    public static IEnumerable<Figure> Run()
    {
        string? script = FindScript();
        if (script is null || !PeerInstalled())
        {
            yield return new Figure("MLP 784-50-10 epoch vs PyTorch from Python", "peer not installed",
                $"needs {Python} with torch: apt-get install python3-torch libopenblas0-pthread", Goal, null);
            yield break;
        }
        int cores = Environment.ProcessorCount;
        int threads = get_num_threads();
        using var mnist = MnistData.Bundled();
        var configurations = new (string Name, int OurThreads, bool Tuned, int PeerThreads, int? BlasThreads, string Goal)[]
        {
            ($"{threads} thread(s) each (PyTorch's OpenBLAS pool limited to {threads} too)", threads, false, threads, threads, Goal),
            ($"{threads} libtorch thread(s) each, PyTorch's OpenBLAS with its default pool ({cores} threads, as the issue measured)",
                threads, false, threads, null, "(reported)"),
            ($"each side's default for {cores} cores (ours: the command's, tuned; PyTorch: {cores} threads, OpenBLAS pool)", cores, true,
                cores, null, Goal),
            ($"our default for {cores} cores (the command's, tuned) vs PyTorch's fastest here ({threads} libtorch thread(s), OpenBLAS pool of {cores})",
                cores, true, threads, null, Goal),
        };
        string? version = null;
        foreach (var c in configurations)
        {
            var ours = new List<double>();
            var peer = new List<double>();
            for (int block = 0; block < Blocks; block++)
            {
                ours.AddRange(OurEpochSeconds(mnist, c.OurThreads, c.Tuned, warmUp: block == 0));
                var (times, v) = PeerEpochSeconds(script, c.PeerThreads, c.BlasThreads);
                peer.AddRange(times.Skip(1)); // each process's first round warms up
                version = v;
            }
            set_num_threads(threads);
            double ratio = Stats.Median(ours) / Stats.Median(peer);
            yield return new Figure($"MLP 784-50-10, bs 64, 1 epoch + validation, {c.Name}; median of {ours.Count} and {peer.Count}",
                $"{Stats.Median(ours):F3} s (ratio {ratio:F3}; ours {ours.Min():F3}–{ours.Max():F3})",
                $"{Stats.Median(peer):F3} s ({peer.Min():F3}–{peer.Max():F3}), {version}", c.Goal,
                c.Goal == Goal ? ratio <= 1.0 : null);
        }
        double raw = RawMedianSeconds(mnist);
        var (peerOne, _) = PeerEpochSeconds(script, threads, threads);
        yield return new Figure($"the same epoch as a raw TorchSharp loop (RawTorchSharpLoop), {threads} thread(s)",
            $"{raw:F3} s (ratio {raw / Stats.Median(peerOne.Skip(1).ToList()):F3})", $"{Stats.Median(peerOne.Skip(1).ToList()):F3} s, OpenBLAS pool {threads}", "", null);
        // Where a hand-written TorchSharp loop loses or wins: libtorch's MKL against Debian's OpenBLAS on the same products.
        var peerGemm = PeerGemmMicroseconds(script, threads);
        foreach (var (name, ourUs) in OurGemmMicroseconds())
            yield return new Figure($"GEMM of the MLP's first layer, bs 64: {name}", $"{ourUs:F1} µs (ratio {ourUs / peerGemm[name]:F2})",
                $"{peerGemm[name]:F1} µs, OpenBLAS pool {threads}", "", null);
    }

    private static double RawMedianSeconds(MnistData mnist)
    {
        var times = new List<double>();
        var losses = new List<float>();
        for (int r = 0; r <= RoundsPerBlock * Blocks; r++)
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

    private static Dictionary<string, double> PeerGemmMicroseconds(string script, int threads)
    {
        var (code, output) = RunPython(threads, script, "--gemm", "--threads", threads.ToString(CultureInfo.InvariantCulture));
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ');
            if (parts is ["gemm_us", var name, var us]) result[name] = double.Parse(us, CultureInfo.InvariantCulture);
        }
        if (code != 0 || result.Count != 2) throw new InvalidOperationException($"The peer script's --gemm failed (exit {code}):\n{output}");
        return result;
    }

    private static List<double> OurEpochSeconds(MnistData mnist, int threads, bool tuned, bool warmUp)
    {
        set_num_threads(threads);
        var data = mnist.ToDataBunch(64, seed: 1);
        var times = new List<double>();
        for (int r = warmUp ? -1 : 0; r < RoundsPerBlock; r++)
        {
            var learner = new Learner(Mlp.Create(784, 50, 10), data, LossFunctions.CrossEntropyLoss, Sgd.Factory(mom: 0.9), 0.1,
                [new AvgStats(ClassificationMetrics.Accuracy), new Recorder(), new ProgressDisplay(TextWriter.Null)]);
            if (tuned) learner.Add(new ThreadTuner(threads));
            GC.Collect();
            var sw = Stopwatch.StartNew();
            learner.Fit(1);
            if (r >= 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        return times;
    }

    /// <summary>The peer's epoch times, one process; <paramref name="blasThreads"/> null leaves OpenBLAS's pool as it is.</summary>
    private static (List<double> Seconds, string Version) PeerEpochSeconds(string script, int threads, int? blasThreads)
    {
        var (code, output) = RunPython(blasThreads, script, "--rounds", (RoundsPerBlock + 1).ToString(CultureInfo.InvariantCulture),
            "--threads", threads.ToString(CultureInfo.InvariantCulture));
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var rounds = lines.Where(l => l.StartsWith("round ", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture)).ToList();
        if (code != 0 || rounds.Count != RoundsPerBlock + 1)
            throw new InvalidOperationException($"The peer script failed (exit {code}):\n{output}");
        var version = lines.FirstOrDefault(l => l.StartsWith("torch ", StringComparison.Ordinal)) ?? "torch";
        return (rounds, "PyTorch " + version["torch ".Length..]);
    }

    private static bool PeerInstalled() =>
        File.Exists(Python) && RunPython(null, "-c", "import torch").Code == 0;

    private static (int Code, string Output) RunPython(int? blasThreads, params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Some machines set these to work around old OpenBLAS builds; they pin a slower kernel for Debian's current
        // one, so the peer runs without them (both together, in its process only).
        start.Environment.Remove("OPENBLAS_CORETYPE");
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        if (blasThreads is { } n) start.Environment["OPENBLAS_NUM_THREADS"] = n.ToString(CultureInfo.InvariantCulture);
        else start.Environment.Remove("OPENBLAS_NUM_THREADS");
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
