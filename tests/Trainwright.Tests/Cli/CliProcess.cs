using System.Diagnostics;
using System.Text;

namespace Trainwright.Tests.Cli;

/// <summary>What a finished CLI run printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the built CLI (src/Trainwright.Cli/bin/&lt;Config&gt;/net10.0/Trainwright.Cli.dll, built before the tests through a
/// ProjectReference that does not reference its assembly) as a real process with <c>dotnet</c>.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new(), stderr = new();
    private readonly object gate = new();

    private CliProcess(string workingDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        // The image decode cache goes into the working directory (a test's workspace), never the user's ~/.cache.
        var cache = Path.Combine(workingDirectory, ".cache");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var a in args) info.ArgumentList.Add(a);
        // A stable, narrow-independent environment: no colours, no terminal width games.
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["XDG_CACHE_HOME"] = cache;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The CLI built in the same configuration as the tests.</summary>
    public static string DllPath { get; } = FindDll();

    public int Id => process.Id;

    public string Stdout { get { lock (gate) return stdout.ToString(); } }

    /// <summary>Starts the CLI in <paramref name="workingDirectory"/> and returns without waiting.</summary>
    public static CliProcess Start(string workingDirectory, params string[] args) => new(workingDirectory, args);

    /// <summary>Runs the CLI to completion (killing it after 90 s).</summary>
    public static CliResult Run(string workingDirectory, params string[] args) => Run(workingDirectory, 90, args);

    /// <summary>Runs the CLI to completion (killing it after 90 s) with <paramref name="environment"/> added to its environment.</summary>
    public static CliResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var p = new CliProcess(workingDirectory, args, environment);
        return p.WaitForExit(TimeSpan.FromSeconds(90));
    }

    public static CliResult Run(string workingDirectory, int timeoutSeconds, params string[] args)
    {
        using var p = Start(workingDirectory, args);
        return p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds));
    }

    /// <summary>Waits until stdout contains <paramref name="text"/>; false if the process ended or time ran out first.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Stdout.Contains(text, StringComparison.Ordinal)) return true;
            if (process.HasExited) return Stdout.Contains(text, StringComparison.Ordinal);
            Thread.Sleep(20);
        }
        return false;
    }

    /// <summary>Sends a POSIX signal (INT, TERM, KILL) with kill(1).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public CliResult WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"The CLI did not finish within {timeout.TotalSeconds}s.\n{Stdout}\n{stderr}");
        }
        process.WaitForExit(); // drains the asynchronous readers
        lock (gate) return new CliResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process.Dispose();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Trainwright.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No Trainwright.slnx above '{AppContext.BaseDirectory}'.");
    }

    private static string FindDll()
    {
        // The tests run from tests/Trainwright.Tests/bin/<Config>/<tfm>/; the CLI was built with the same <Config>/<tfm>.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var config = tfm.Parent!.Name;
        var dll = Path.Combine(RepoRoot, "src", "Trainwright.Cli", "bin", config, tfm.Name, "Trainwright.Cli.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"The CLI is not built at '{dll}'; build the solution (dotnet build -c {config}) first.", dll);
        return dll;
    }
}
