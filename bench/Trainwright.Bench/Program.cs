using System.Globalization;
using System.Text;
using Trainwright.Bench;
using Trainwright.IO;

// dotnet run -c Release --project bench/Trainwright.Bench -- all | data ce sgd loop threads peer memory throughput startup distributed predict onnx tabular images images-memory  [--threads N] [--out FILE] [--quick] [--rows N] [--prep-only]
// TRAINWRIGHT_BENCH_SMOKE=1 shrinks the image benches to a quick check of the code (figures meaningless).
if (args is [StartupBench.ProbeArgument]) return StartupBench.Probe();
var benches = new Dictionary<string, (string Title, Func<IEnumerable<string>> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["data"] = ("Data loading", () => Report.Table(DataLoaderBench.Run())),
    ["ce"] = ("Cross entropy, forward + backward", () => Report.Table(CrossEntropyBench.Run())),
    ["sgd"] = ("Optimizer step", () => Report.Table(SgdBench.Run())),
    ["loop"] = ("Loop overhead", () => Report.Table(LoopOverheadBench.Run())),
    ["threads"] = ("All cores, idle and under load", () => Report.Table(ThreadsBench.Run())),
    ["peer"] = ("The peer: PyTorch from Python", () => Report.Table(PeerBench.Run())),
    ["memory"] = ("Memory over a long run", () => Report.Table(MemoryBench.Run())),
    ["throughput"] = ("The machine's limit and throughput", () => Report.Table(ThroughputBench.Run())),
    ["cnn"] = ("CNN: time to accuracy", CnnBench.Run),
    ["startup"] = ("Start-up", () => Report.Table(StartupBench.Run())),
    ["distributed"] = ("Data-parallel training over Open MPI", DistributedBench.Run),
    ["predict"] = ("Predictor against a bare forward", () => Report.Table(InferenceBench.RunPredict())),
    ["onnx"] = ("ONNX Runtime against TorchSharp", () => Report.Table(InferenceBench.RunOnnx())),
    ["tabular"] = ("Tables: CSV load, preprocessing, training", () => TabularBench.Run(args)),
    ["images"] = ("Image folders: decode, cache, augmentation", () => Report.Table(ImageBench.RunComparisons())),
    ["images-memory"] = ("Image folders: memory of a cached set", () => Report.Table(ImageBench.RunMemory())),
};
// --quick: the inference benches make only a few calls, to check they run (figures from it mean nothing).
InferenceBench.Quick = args.Contains("--quick");

var names = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
int threadsAt = Array.IndexOf(args, "--threads");
if (threadsAt >= 0)
{
    if (threadsAt + 1 >= args.Length || !int.TryParse(args[threadsAt + 1], out int threads) || threads < 1)
    {
        Console.Error.WriteLine("--threads needs a whole number of at least 1, e.g. --threads 1.");
        return 2;
    }
    TorchSharp.torch.set_num_threads(threads);
}
// Every row, baseline and ours, runs on the same matrix-product kernels: the library's choice, made up front
// (TRAINWRIGHT_MKL_KERNELS=off measures MKL's own choice).
Trainwright.Runtime.MklKernels.PreferAvx512();
int outAt = Array.IndexOf(args, "--out");
string outPath = outAt >= 0 && outAt + 1 < args.Length ? args[outAt + 1] : "bench-results.md";
if (names.Count == 0 || names.Contains("all", StringComparer.OrdinalIgnoreCase)) names = [.. benches.Keys];
var unknown = names.Where(n => !benches.ContainsKey(n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"Unknown benchmark(s): {string.Join(", ", unknown)}. Known: all, {string.Join(", ", benches.Keys)}.");
    return 2;
}

var md = new StringBuilder();
md.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {MachineInfo.Describe()}.");
md.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project bench/Trainwright.Bench -- {string.Join(' ', args)}`");
md.AppendLine();
foreach (var name in names)
{
    var (title, run) = benches[name];
    var started = DateTime.UtcNow;
    Console.Error.WriteLine($"running {name}…");
    md.AppendLine(CultureInfo.InvariantCulture, $"### {title}").AppendLine();
    foreach (var line in run())
    {
        md.AppendLine(line);
        Console.Error.WriteLine(line);
    }
    md.AppendLine(CultureInfo.InvariantCulture, $"\n({name}: {(DateTime.UtcNow - started).TotalSeconds:F0} s)").AppendLine();
    AtomicFile.WriteText(outPath, md.ToString()); // keep what is done if a later bench fails; never replaces a device
}
Console.WriteLine(md.ToString());
Console.Error.WriteLine($"written to {Path.GetFullPath(outPath)}");
return 0;
