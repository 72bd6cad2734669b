using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Trainwright.Bench;

/// <summary>
/// Data-parallel training over MPI: throughput with 1 and 2 processes, the gradient all-reduce's share of each step, the
/// measured all-reduce cost per megabyte, and an estimate of where communication would dominate between machines.
/// Starts the distributed test host (tests/Trainwright.DistributedHost, built here in Release) alone and under mpirun.
/// Returns Markdown lines.
/// </summary>
public static class DistributedBench
{
    private const int TrainItems = 8192, Epochs = 2, Repetitions = 3;

    /// <summary>Runs the measurements and returns the Markdown lines of the report.</summary>
    public static IEnumerable<string> Run()
    {
        var mpirun = FindOnPath("mpirun");
        if (mpirun is null)
        {
            yield return "Skipped: mpirun is not on PATH (apt-get install -y openmpi-bin libopenmpi-dev).";
            yield break;
        }
        var host = BuildHost();
        var work = Path.Combine(Path.GetTempPath(), "trainwright-ddp-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Interleave the configurations so each sees the same background load on the shared machine.
            var configs = new (string Name, int Processes, int Batch, int Threads)[]
            {
                ("1 process, batch 64, 1 torch thread", 1, 64, 1),
                ("1 process, batch 64, 2 torch threads", 1, 64, 2),
                ("2 processes, batch 32 each, 1 torch thread each", 2, 32, 1),
            };
            var runs = configs.ToDictionary(c => c.Name, _ => new List<JsonElement>());
            for (int rep = 0; rep < Repetitions; rep++)
                foreach (var c in configs)
                {
                    var outDir = Path.Combine(work, $"{rep}-{c.Processes}-{c.Threads}");
                    string[] hostArgs = [host, "train", "--out", outDir, "--batch", Invariant(c.Batch), "--train-items", Invariant(TrainItems),
                        "--epochs", Invariant(Epochs), "--threads", Invariant(c.Threads)];
                    if (c.Processes == 1) Exec("dotnet", hostArgs);
                    else Exec(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", Invariant(c.Processes), "dotnet", .. hostArgs]);
                    runs[c.Name].Add(ReadJson(Path.Combine(outDir, "rank0", "result.json")));
                }

            yield return $"MLP 784-50-10, SGD (momentum 0.9), {TrainItems} MNIST training items × {Epochs} epochs + 1000 validation items per epoch "
                + $"(sharded over processes); median of {Repetitions} interleaved runs; the fit only (process start, MPI start-up and data loading excluded). "
                + $"Machine: {Environment.ProcessorCount} cores, shared with other work.";
            yield return "";
            yield return "| configuration | items/s | fit s | all-reduce ms/step | all-reduce share of fit |";
            yield return "|---|---:|---:|---:|---:|";
            double singleStepMs = double.NaN;
            double bucketBytes = 0;
            foreach (var c in configs)
            {
                var fits = runs[c.Name].Select(j => j.GetProperty("fitSeconds").GetDouble()).ToArray();
                var reduce = runs[c.Name].Select(j => j.GetProperty("allReduceSeconds").GetDouble()).ToArray();
                int steps = runs[c.Name][0].GetProperty("averagedSteps").GetInt32();
                double fit = Stats.Median(fits);
                double reduceMs = steps == 0 ? 0 : Stats.Median(reduce) * 1000 / steps;
                if (c.Processes == 1 && c.Threads == 1) singleStepMs = fit * 1000 / (TrainItems / c.Batch * Epochs);
                if (c.Processes > 1) bucketBytes = runs[c.Name][0].GetProperty("bucketElements").GetInt64() * sizeof(float);
                yield return Text($"| {c.Name} | {TrainItems * Epochs / fit:F0} | {fit:F2} | {(steps == 0 ? "–" : reduceMs.ToString("F2", CultureInfo.InvariantCulture))} | {(steps == 0 ? "–" : (Stats.Median(reduce) / fit).ToString("P0", CultureInfo.InvariantCulture))} |");
            }
            yield return "";
            yield return "Two processes on two shared cores cannot scale: they split the same cores the single process already had, and while one "
                + "waits in the all-reduce the other must reach it too, so every step runs at the pace of the slower process plus the exchange. "
                + "These rows show the overhead of the machinery, not a speed-up; a speed-up needs a core (or machine) per process.";
            yield return "";

            var reduceDir = Path.Combine(work, "allreduce");
            Exec(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", "2", "dotnet", host, "allreduce", "--out", reduceDir, "--sizes-mb", "1,4,16", "--reps", "20"]);
            var reduceJson = ReadJson(Path.Combine(reduceDir, "rank0", "allreduce.json"));
            yield return "In-place float32 all-reduce (sum) between 2 processes on this machine (shared memory transport), median of 20 after a barrier:";
            yield return "";
            yield return "| buffer MB | median ms | ms per MB | effective GB/s |";
            yield return "|---:|---:|---:|---:|";
            foreach (var p in reduceJson.GetProperty("medianMs").EnumerateObject())
            {
                double mb = double.Parse(p.Name, CultureInfo.InvariantCulture), ms = p.Value.GetDouble();
                yield return Text($"| {mb:F0} | {ms:F2} | {ms / mb:F3} | {mb / 1024 / (ms / 1000):F2} |");
            }
            yield return "";
            foreach (var line in NetworkEstimate(bucketBytes, singleStepMs)) yield return line;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Ring all-reduce sends and receives 2(N-1)/N of the buffer per process, in 2(N-1) messages: time ≈ 2(N-1)/N · S / B
    /// + 2(N-1) · α. Compute per step shrinks as N grows only if the global batch is fixed; here the per-process batch is fixed
    /// (weak scaling), so compute per step stays that of one process's batch.
    /// </summary>
    private static IEnumerable<string> NetworkEstimate(double bucketBytes, double computeMsPerStep)
    {
        yield return Text($"Estimate between machines (not measured here): gradient bucket {bucketBytes / 1024:F0} KB per step (this MLP); compute ≈ {computeMsPerStep:F2} ms per step ")
            + "for one process's batch (the 1-process, 1-thread row, per batch of 64, as an upper bound for batch 32). Ring all-reduce: each process moves "
            + "2(N-1)/N × the bucket in 2(N-1) messages; assumed latency 50 µs per message, full link bandwidth, no overlap of communication with backward.";
        yield return "";
        yield return "| link | N | bucket | est. all-reduce ms | compute ms/step | communication dominates? |";
        yield return "|---|---:|---:|---:|---:|---|";
        foreach (var (link, bytesPerSecond) in new[] { ("1 Gb/s", 125e6), ("10 Gb/s", 1.25e9) })
            foreach (int n in new[] { 2, 8 })
                foreach (var (label, bytes) in new[] { ("this MLP", bucketBytes), ("25M params (ResNet-50 size)", 100e6) })
                {
                    double ms = (2.0 * (n - 1) / n * bytes / bytesPerSecond + 2 * (n - 1) * 50e-6) * 1000;
                    string dominates = label == "this MLP" ? (ms > computeMsPerStep ? "yes" : "no") : "compare with that model's step time";
                    yield return Text($"| {link} | {n} | {label} | {ms:F2} | {(label == "this MLP" ? computeMsPerStep.ToString("F2", CultureInfo.InvariantCulture) : "–")} | {dominates} |");
                }
        yield return "";
        yield return "Communication dominates once the all-reduce time exceeds the step's compute: for a model whose step takes C ms, "
            + "the break-even bucket is about C ms × bandwidth / (2(N-1)/N), e.g. ≈ 62 KB per ms of compute at 1 Gb/s and ≈ 625 KB per ms at 10 Gb/s for N = 2.";
    }

    private static string BuildHost()
    {
        string? root = null;
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null && root is null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Trainwright.slnx"))) root = dir.FullName;
        if (root is null)
            throw new DirectoryNotFoundException($"Trainwright.slnx not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; run from the repository.");
        var project = Path.Combine(root, "tests", "Trainwright.DistributedHost", "Trainwright.DistributedHost.csproj");
        Exec("dotnet", ["build", project, "-c", "Release", "--nologo", "-v", "q"]);
        return Path.Combine(root, "tests", "Trainwright.DistributedHost", "bin", "Release", "net10.0", "Trainwright.DistributedHost.dll");
    }

    private static void Exec(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} took over 10 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
    }

    private static JsonElement ReadJson(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
