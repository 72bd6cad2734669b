using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Trainwright.Bench;

/// <summary>
/// Start-up: time from process start to the first training batch of <c>trainwright train</c> (reported by the CLI
/// itself with TRAINWRIGHT_REPORT_STARTUP=1), beside the time a bare process takes to load libtorch and make a tensor.
/// Both are child processes started the same way (<c>dotnet X.dll</c>), alternated, five each.
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

    /// <summary>Runs both five times, alternating.</summary>
    public static IEnumerable<Figure> Run()
    {
        var cli = FindCli();
        var bench = typeof(StartupBench).Assembly.Location;
        var train = new List<double>();
        var load = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            var outDir = Directory.CreateTempSubdirectory("tw-startup-").FullName;
            try
            {
                train.Add(Measure(cli, $"train --epochs 1 --max-items 512 --no-progress --out {outDir}/run"));
            }
            finally
            {
                Directory.Delete(outDir, recursive: true);
            }
            load.Add(Measure(bench, ProbeArgument));
        }
        yield return new Figure("process start → first training batch of `trainwright train` (median of 5)",
            $"{Stats.Median(train):F0} ms (min {train.Min():F0})", $"libtorch load + first tensor: {Stats.Median(load):F0} ms (min {load.Min():F0})", "", null);
    }

    private static double Measure(string dll, string arguments)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["TRAINWRIGHT_REPORT_STARTUP"] = "1";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"{dll} {arguments} did not finish in 3 minutes."); }
        var text = stdout.Result + stderr.Result;
        var m = StartupLine().Match(text);
        if (!m.Success) throw new InvalidOperationException($"No start-up line from '{dll} {arguments}' (exit {p.ExitCode}):\n{text}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
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

    [GeneratedRegex(@"startup: .* at (\d+) ms after process start")]
    private static partial Regex StartupLine();
}
