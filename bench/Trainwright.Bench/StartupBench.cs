using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Trainwright.Bench;

/// <summary>
/// Start-up: time from process start to the first training batch of <c>trainwright train</c> (reported by the CLI
/// itself with TRAINWRIGHT_REPORT_STARTUP=1, which also prints the time each phase on the way was reached), for the CLI
/// as built and as the tool package ships it (ReadyToRun), beside the time a bare process takes to load libtorch and
/// make a tensor. All are child processes started the same way (<c>dotnet X.dll</c>), alternated.
/// </summary>
public static partial class StartupBench
{
    /// <summary>The bench calls itself with this argument to measure loading libtorch alone.</summary>
    public const string ProbeArgument = "--torch-load-probe";

    /// <summary>What the probe process does: load libtorch, make one tensor, report the time since process start.</summary>
    public static int Probe()
    {
        using var t = TorchSharp.torch.ones(1);
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"startup: torch ready at {(DateTime.Now - self.StartTime).TotalMilliseconds:F0} ms after process start"));
        return 0;
    }

    /// <summary>Start-up of the issue's goal 7 (process start to the first training batch).</summary>
    public const double GoalMs = 400;

    private const int Rounds = 7;

    /// <summary>
    /// Runs, alternating, <see cref="Rounds"/> times each: the CLI as built (<c>dotnet run</c>, IL compiled at run time),
    /// the CLI as the tool package ships it (published for this machine's runtime, ReadyToRun), and the libtorch probe.
    /// </summary>
    public static IEnumerable<Figure> Run()
    {
        var cli = FindCli();
        var bench = typeof(StartupBench).Assembly.Location;
        var published = Directory.CreateTempSubdirectory("tw-startup-tool-").FullName;
        try
        {
            var tool = Publish(published, out var whyNot);
            var train = new List<StartupRun>();
            var trainTool = new List<StartupRun>();
            var load = new List<double>();
            for (int i = 0; i < Rounds; i++)
            {
                train.Add(MeasureTrain(cli));
                if (tool is not null) trainTool.Add(MeasureTrain(tool));
                load.Add(Measure(bench, ProbeArgument).Wall);
            }
            var floor = $"libtorch load + first tensor alone: {Stats.Median(load):F0} ms (min {load.Min():F0})";
            yield return Row("process start → first training batch, CLI as built (`dotnet run`, JIT)", train, floor);
            yield return Phases("phases of the CLI as built", train);
            if (tool is null)
            {
                yield return new Figure("process start → first training batch, CLI as the tool package ships it (ReadyToRun)", $"not measured: {whyNot}", floor, $"≤ {GoalMs:F0} ms", null);
            }
            else
            {
                yield return Row("process start → first training batch, CLI as the tool package ships it (published for this runtime, ReadyToRun)", trainTool, floor);
                yield return Phases("phases of the CLI as the tool package ships it", trainTool);
            }
        }
        finally
        {
            Directory.Delete(published, recursive: true);
        }
    }

    /// <summary>One start-up: its wall and CPU time to the first batch and the phases the CLI reported on the way.</summary>
    private sealed record StartupRun(double Wall, double Cpu, IReadOnlyList<(string Phase, double Ms)> Phases);

    /// <summary>The median time (ms after process start) at which each reported phase was reached, in the order of the first run.</summary>
    private static Figure Phases(string name, List<StartupRun> runs)
    {
        var names = runs.Count == 0 ? [] : runs[0].Phases.Select(p => p.Phase).ToList();
        var medians = names.Select(n => (Name: n, Ms: Stats.Median([.. runs.SelectMany(r => r.Phases.Where(p => p.Phase == n).Select(p => p.Ms))])));
        return new Figure($"{name} (median ms after process start, of {runs.Count})",
            string.Join("; ", medians.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Name} {m.Ms:F0}"))), "", "", null);
    }

    private static Figure Row(string name, List<StartupRun> runs, string floor)
    {
        var wall = runs.Select(r => r.Wall).ToList();
        var cpu = runs.Select(r => r.Cpu).ToList();
        var median = Stats.Median(wall);
        return new Figure($"{name} (median of {runs.Count})",
            $"{median:F0} ms (min {wall.Min():F0}; CPU {Stats.Median(cpu):F0} ms on all threads)", floor, $"≤ {GoalMs:F0} ms", median <= GoalMs);
    }

    private static StartupRun MeasureTrain(string dll)
    {
        var outDir = Directory.CreateTempSubdirectory("tw-startup-").FullName;
        try
        {
            return Measure(dll, $"train --epochs 1 --max-items 512 --no-progress --out {outDir}/run", outDir);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    /// <summary>
    /// Publishes the CLI for this machine's runtime into <paramref name="folder"/> the way <c>dotnet pack</c> publishes
    /// each tool package (the project turns ReadyToRun on whenever a runtime is given); null and why when it fails.
    /// </summary>
    private static string? Publish(string folder, out string whyNot)
    {
        whyNot = "";
        var project = Path.Combine(FindRepoRoot(), "src", "Trainwright.Cli", "Trainwright.Cli.csproj");
        var rid = RuntimeInformation.RuntimeIdentifier;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "publish", project, "-c", "Release", "-r", rid, "--self-contained", "false", "-o", folder, "-nologo", "-v:quiet" })
            info.ArgumentList.Add(a);
        Console.Error.WriteLine($"startup: publishing the CLI for {rid} (ReadyToRun) to measure the tool's start-up…");
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(true); whyNot = "dotnet publish took over 10 minutes"; return null; }
        var dll = Path.Combine(folder, "Trainwright.Cli.dll");
        if (p.ExitCode == 0 && File.Exists(dll)) return dll;
        var text = (stdout.Result + stderr.Result).Trim();
        whyNot = $"dotnet publish -r {rid} failed (exit {p.ExitCode}): {text.Split('\n').FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))?.Trim() ?? text}";
        return null;
    }

    private static StartupRun Measure(string dll, string arguments, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        info.Environment["TRAINWRIGHT_REPORT_STARTUP"] = "1";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"{dll} {arguments} did not finish in 3 minutes."); }
        var text = stdout.Result + stderr.Result;
        var m = StartupLine().Match(text);
        if (!m.Success) throw new InvalidOperationException($"No start-up line from '{dll} {arguments}' (exit {p.ExitCode}):\n{text}");
        double Number(Group g) => g.Success ? double.Parse(g.Value, CultureInfo.InvariantCulture) : double.NaN;
        var phases = PhaseLine().Matches(text).Select(p => (p.Groups[1].Value, Number(p.Groups[2]))).ToList();
        return new StartupRun(Number(m.Groups[1]), Number(m.Groups[2]), phases);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Trainwright.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No Trainwright.slnx above '{AppContext.BaseDirectory}'; run the bench from its build output in the repository.");
    }

    private static string FindCli()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Trainwright.Cli", "bin", "Release", "net10.0", "Trainwright.Cli.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Build the CLI first: dotnet build src/Trainwright.Cli -c Release");
    }

    [GeneratedRegex(@"startup: .* at (\d+) ms after process start(?: \((\d+) ms of CPU)?")]
    private static partial Regex StartupLine();

    [GeneratedRegex(@"startup phase: (.*) at (\d+) ms")]
    private static partial Regex PhaseLine();
}
