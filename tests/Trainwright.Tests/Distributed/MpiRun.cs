using System.Diagnostics;
using System.Text;

namespace Trainwright.Tests.Distributed;

/// <summary>Builds the distributed test host once per test run and starts it, alone or under mpirun.</summary>
internal static class MpiRun
{
    private static readonly Lazy<string> Host = new(BuildHost);

    public static string? FindMpirun()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "mpirun");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Runs the host in <paramref name="processes"/> processes under mpirun (or alone when null) and returns its output.</summary>
    public static string RunHost(int? processes, params string[] hostArgs)
    {
        var args = new List<string>();
        string file;
        if (processes is { } np)
        {
            file = FindMpirun() ?? throw new InvalidOperationException("mpirun is not on PATH.");
            args.AddRange(["--allow-run-as-root", "--oversubscribe", "-np", np.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet"]);
        }
        else
        {
            file = "dotnet";
        }
        args.Add(Host.Value);
        args.AddRange(hostArgs);
        return Run(file, args, TimeSpan.FromMinutes(3));
    }

    private static string BuildHost()
    {
        var root = RepoRoot();
        // Tests run from bin/<Configuration>/<tfm>/: build the host in the same configuration. Building every run (an
        // incremental build is quick) keeps the host's copy of the library in step with the code under test.
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var project = Path.Combine(root, "tests", "Trainwright.DistributedHost", "Trainwright.DistributedHost.csproj");
        Run("dotnet", ["build", project, "-c", configuration, "--nologo", "-v", "q"], TimeSpan.FromMinutes(5));
        var dll = Path.Combine(root, "tests", "Trainwright.DistributedHost", "bin", configuration, "net10.0", "Trainwright.DistributedHost.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("The distributed test host was built but its dll is missing.", dll);
        return dll;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Trainwright.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("Trainwright.slnx not found above " + AppContext.BaseDirectory);
    }

    private static string Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}. Output:\n{output}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}. Output:\n{output}");
        return output.ToString();
    }
}
