using System.Globalization;
using Trainwright.Cli;
using Trainwright.Tests.Support;
using TorchSharp;

namespace Trainwright.Tests.Cli;

/// <summary>The in-process CLI runs redirect the process's Console and set libtorch's thread count: nothing else may run beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessCliCollection
{
    public const string Name = "In-process CLI";
}

/// <summary>
/// Issue 14: exit 70 (a bug) must not be reachable from any input. Seeded random command lines for every command — each
/// option given a valid small value, an out-of-range, malformed, culture-confused, empty or non-finite one, paths that
/// are a file, a folder, missing, a FIFO or a link to one (standing in for a device: no real device path is ever given,
/// since an output option must not be able to damage the machine), a damaged checkpoint, plus unknown words — run through the real command tree
/// in this process (<see cref="CliApp.Run"/>). Each must end with 0, 1 (or 3, the documented NaN-loss stop, for train)
/// and print only <c>error:</c>/<c>warning:</c> lines on stderr, at least one error line when it fails. Valid values are
/// kept small (a 14x14 set of a few dozen items, one epoch) so the whole fuzz stays within seconds.
/// </summary>
[Collection(InProcessCliCollection.Name)]
public sealed class CliOptionFuzzTests
{
    private const int Seed = 14;
    private const int Cases = 600;

    [Fact]
    public void Random_option_values_never_crash_never_exit_70_and_every_error_is_one_error_line()
    {
        using var ws = new CliWorkspace();
        // Relative paths ("-", a name with spaces) and any default output folder land in the workspace.
        var workingDirectory = Environment.CurrentDirectory;
        Environment.CurrentDirectory = ws.Root;
        try
        {
            Fuzz(ws);
        }
        finally
        {
            Environment.CurrentDirectory = workingDirectory;
        }
    }

    private static void Fuzz(CliWorkspace ws)
    {
        var data = GeneratedImageSet.Write(ws.PathOf("data"), trainCount: 60, testCount: 30);
        var run = ws.PathOf("run");
        var made = InProcess(["train", "--data", data, "--epochs", "1", "--bs", "20", "--out", run, "--no-progress"]);
        Assert.True(made.ExitCode == 0, made.ToString());
        var checkpoint = Path.Combine(run, "checkpoint-last");
        var damaged = ws.PathOf("damaged-checkpoint");
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);
        var flipped = ws.PathOf("flipped-checkpoint");
        bytes[bytes.Length / 3] ^= 0x10;
        File.WriteAllBytes(flipped, bytes);
        var file = ws.PathOf("a-file.txt");
        File.WriteAllText(file, "not data\n");
        var folder = ws.PathOf("empty-folder");
        Directory.CreateDirectory(folder);
        // Stand-ins for a device such as /dev/null, which no test may name: an output option given one must refuse it and
        // leave it, and a fuzz that wrote through or renamed over a real device could break the machine (run as root).
        var fifo = ws.PathOf("fifo");
        var linkToFifo = ws.PathOf("link-to-fifo");
        if (!OperatingSystem.IsWindows())
        {
            Fifo.Make(fifo);
            File.CreateSymbolicLink(linkToFifo, fifo);
        }

        var random = new Random(Seed);
        int outs = 0;
        string[] Paths(params string[] valid) =>
            [.. valid, "", " ", file, folder, ws.PathOf("missing/deeper"), fifo, linkToFifo, damaged, flipped, "-", "\u00e9t\u00e9 \u2603"];
        string NewOut() => ws.PathOf($"out-{outs++}");
        string[] Ints(params string[] valid) =>
            [.. valid, "", "0", "-1", "-2147483648", "2147483647", "2147483648", "99999999999999999999", "1,5", "1.5", "NaN", "abc", "1e3", "0x10", "+2", " 3"];
        string[] Doubles(params string[] valid) =>
            [.. valid, "", "0", "-1", "NaN", "Infinity", "-Infinity", "1e300", "1e-400", "1,5", "abc", "1e10", "0x1"];
        string[] Words(params string[] valid) => [.. valid, "", "MLP", "unknown", "--epochs"];

        var commands = new Dictionary<string, Dictionary<string, Func<string[]>>>
        {
            ["train"] = new()
            {
                ["--data"] = () => Paths(data, data, data),
                ["--model"] = () => Words("mlp", "cnn"),
                ["--hidden"] = () => Ints("4", "16"),
                ["--bs"] = () => Ints("16", "32"),
                ["--lr"] = () => Doubles("0.01", "0.1"),
                ["--opt"] = () => Words("sgd", "adam"),
                ["--wd"] = () => Doubles("0.001"),
                ["--seed"] = () => Ints("7"),
                ["--workers"] = () => Ints("0", "1"),
                ["--threads"] = () => Ints("1", "2"),
                ["--max-items"] = () => Ints("20", "40"),
                ["--max-classes"] = () => Ints("2", "10"),
                ["--epochs"] = () => Ints("1", "1", "2"),
                ["--schedule"] = () => Words("one-cycle", "cos", "const"),
                ["--out"] = () => Paths(NewOut(), NewOut(), NewOut(), run),
                ["--resume"] = () => Paths(checkpoint, Path.Combine(run, "checkpoint-best")),
                ["--no-progress"] = () => [],
            },
            ["lr-find"] = new()
            {
                ["--data"] = () => Paths(data, data, data),
                ["--model"] = () => Words("mlp", "cnn"),
                ["--hidden"] = () => Ints("4"),
                ["--bs"] = () => Ints("16"),
                ["--opt"] = () => Words("sgd", "adam"),
                ["--wd"] = () => Doubles("0.001"),
                ["--threads"] = () => Ints("1"),
                ["--max-items"] = () => Ints("20", "40"),
                ["--max-classes"] = () => Ints("2", "10"),
                ["--max-iter"] = () => Ints("3", "8"),
                ["--out"] = () => Paths(NewOut(), NewOut(), NewOut()),
            },
            ["evaluate"] = new()
            {
                ["--checkpoint"] = () => Paths(checkpoint, checkpoint, Path.Combine(run, "checkpoint-best")),
                ["--data"] = () => Paths(data),
                ["--model"] = () => Words("mlp", "cnn"),
                ["--hidden"] = () => Ints("50", "16"),
                ["--bs"] = () => Ints("7", "1000"),
                ["--max-items"] = () => Ints("10"),
                ["--threads"] = () => Ints("1"),
            },
            ["init-study"] = new()
            {
                ["--data"] = () => Paths(data, data),
                ["--images"] = () => Ints("4"),
                ["--seed"] = () => Ints("1"),
                ["--out"] = () => Paths(NewOut(), NewOut()),
                ["--threads"] = () => Ints("1"),
            },
            ["schedules"] = new()
            {
                ["--plot"] = () => [],
                ["--out"] = () => Paths(NewOut(), NewOut()),
            },
            ["predict"] = new()
            {
                ["--model"] = () => Paths(run, run, Path.Combine(run, "model.trainwright")),
                [Positional] = () => Paths(data, data, Path.Combine(data, "t10k-images-idx3-ubyte")),
                ["--top"] = () => Ints("1", "3"),
                ["--format"] = () => Words("table", "csv", "json"),
                ["--bs"] = () => Ints("8", "64"),
                ["--workers"] = () => Ints("1", "2"),
                ["--max-items"] = () => Ints("5"),
            },
            ["export"] = new()
            {
                ["--model"] = () => Paths(run, run, Path.Combine(run, "model.trainwright")),
                ["--onnx"] = () => Paths(NewOut() + ".onnx", NewOut() + ".onnx"),
                ["--no-normalization"] = () => [],
            },
        };
        // Options that write into the working directory when left out, and the data (the bundled MNIST is too big here).
        var always = new Dictionary<string, string[]>
        {
            ["train"] = ["--out", "--data", "--no-progress"],
            ["lr-find"] = ["--out", "--data"],
            ["evaluate"] = ["--checkpoint"],
            ["init-study"] = ["--out", "--data"],
            ["schedules"] = ["--out"],
            ["predict"] = ["--model", Positional],
            ["export"] = ["--model", "--onnx"],
        };
        string[] unknown = ["--bogus", "extra", "-x", "--", "--epochs=", "-h"];

        var names = commands.Keys.ToList();
        var failures = new List<string>();
        var codes = new Dictionary<int, int>();
        for (int i = 0; i < Cases && failures.Count < 5; i++)
        {
            var command = names[random.Next(names.Count)];
            var options = commands[command];
            var args = new List<string> { command };
            var chosen = options.Keys.Where(k => always[command].Contains(k) || random.NextDouble() < 0.3).OrderBy(_ => random.Next()).ToList();
            foreach (var option in chosen)
            {
                var values = options[option]();
                if (option != Positional) args.Add(option);
                if (values.Length == 0)
                {
                    if (random.NextDouble() < 0.1) args.Add(random.NextDouble() < 0.5 ? "true" : "maybe");
                    continue;
                }
                // Most of the time a valid value (the first ones listed), else anything.
                args.Add(random.NextDouble() < 0.75 ? values[random.Next(Math.Min(values.Length, 3))] : values[random.Next(values.Length)]);
                if (random.NextDouble() < 0.03) args.Add(values[random.Next(values.Length)]); // a stray second value
            }
            if (random.NextDouble() < 0.08) args.Insert(1 + random.Next(args.Count), unknown[random.Next(unknown.Length)]);
            // Now and then only the start of a command line, or a misspelt command.
            if (random.NextDouble() < 0.03) args = [.. args.Take(random.Next(args.Count))];
            if (args.Count > 0 && random.NextDouble() < 0.02) args[0] = args[0][..^1];

            var result = InProcess([.. args]);
            codes[result.ExitCode] = codes.GetValueOrDefault(result.ExitCode) + 1;
            var problem = Check(command, result);
            if (problem is not null)
                failures.Add($"{problem}: trainwright {string.Join(' ', args.Select(global::Trainwright.Cli.Host.ShellCommand.Quote))}\n{result}");
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        if (!OperatingSystem.IsWindows())
        {
            Fifo.AssertStillAFifo(fifo);
            Assert.Equal(fifo, new FileInfo(linkToFifo).LinkTarget); // the link itself was not replaced either
            Fifo.AssertStillAFifo(linkToFifo);
        }
        // The fuzz must reach past parsing: successes and refusals both occur.
        Assert.True(codes.GetValueOrDefault(0) > 10 && codes.GetValueOrDefault(1) > 10,
            "exit codes seen: " + string.Join(", ", codes.Select(kv => $"{kv.Key}×{kv.Value}")));
    }

    /// <summary>The key of a command's positional argument: only its value goes on the command line.</summary>
    private const string Positional = "<inputs>";

    private static string? Check(string command, CliResult result)
    {
        if (result.ExitCode is not (0 or 1) && !(command == "train" && result.ExitCode == 3))
            return $"exit {result.ExitCode}";
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.FirstOrDefault(l => !l.StartsWith("error: ", StringComparison.Ordinal) && !l.StartsWith("warning: ", StringComparison.Ordinal)) is { } other)
            return $"a stderr line that is neither an error nor a warning ('{other}')";
        // .NET's own argument messages ("The value cannot be an empty string. (Parameter 'path')") name no option.
        if (lines.FirstOrDefault(l => l.Contains("(Parameter '", StringComparison.Ordinal)) is { } raw)
            return $"a .NET argument message that names no option ('{raw}')";
        if (result.ExitCode != 0 && !lines.Any(l => l.StartsWith("error: ", StringComparison.Ordinal)))
            return "failed without an error line";
        if (result.ExitCode == 0 && lines.Any(l => l.StartsWith("error: ", StringComparison.Ordinal)))
            return "an error line but exit 0";
        return null;
    }

    /// <summary>
    /// Runs the command tree in this process with stdout and stderr captured, restoring the console and libtorch's thread
    /// count afterwards. A run that does not end in 60 s (e.g. blocked opening a FIFO) fails the test.
    /// </summary>
    private static CliResult InProcess(string[] args)
    {
        var (stdout, stderr) = (new StringWriter(CultureInfo.InvariantCulture), new StringWriter(CultureInfo.InvariantCulture));
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        int threads = torch.get_num_threads();
        Console.SetOut(TextWriter.Synchronized(stdout));
        Console.SetError(TextWriter.Synchronized(stderr));
        try
        {
            var run = Task.Factory.StartNew(() => CliApp.Run(args), TaskCreationOptions.LongRunning);
            if (!run.Wait(TimeSpan.FromSeconds(60)))
                return new CliResult(-1, stdout.ToString(), "did not finish within 60 s\n" + stderr);
            return new CliResult(run.Result, stdout.ToString(), stderr.ToString());
        }
        catch (AggregateException e)
        {
            return new CliResult(-2, stdout.ToString(), $"threw out of CliApp.Run: {e.InnerException}\n{stderr}");
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            torch.set_num_threads(threads);
        }
    }
}
