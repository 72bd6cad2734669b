using System.Globalization;
using System.Text;
using Trainwright.Bench;

// dotnet run -c Release --project bench/Trainwright.Bench -- all | data ce sgd loop …  [--out FILE]
var benches = new Dictionary<string, (string Title, Func<IEnumerable<Comparison>> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["data"] = ("Data loading", DataLoaderBench.Run),
    ["ce"] = ("Cross entropy", CrossEntropyBench.Run),
    ["sgd"] = ("Optimizer step", SgdBench.Run),
};

var names = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
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
    Console.Error.WriteLine($"running {name}…");
    md.AppendLine(CultureInfo.InvariantCulture, $"### {title}").AppendLine();
    md.AppendLine("| measurement | ours | baseline | ours median ms | baseline median ms | ratio median (min) | goal | met |");
    md.AppendLine("|---|---|---|---:|---:|---:|---|---|");
    foreach (var c in run())
    {
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {c.Name} | {c.Subject} | {c.Baseline} | {Stats.Median(c.SubjectMs):F2} | {Stats.Median(c.BaselineMs):F2} | {c.MedianRatio:F3} ({c.MinRatio:F3}) | {c.Goal} | {(c.GoalMet ? "yes" : "**no**")} |");
        Console.Out.Flush();
    }
    md.AppendLine();
}
Console.WriteLine(md.ToString());
File.WriteAllText(outPath, md.ToString());
Console.Error.WriteLine($"written to {Path.GetFullPath(outPath)}");
return 0;
