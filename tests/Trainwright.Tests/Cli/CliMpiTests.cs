using System.Diagnostics;
using System.Text;
using Trainwright.Tests.Distributed;

namespace Trainwright.Tests.Cli;

/// <summary>
/// Issue 14, case 13: under <c>mpirun -np 2</c>, a refusal on rank 0 (an --out that already holds a run) reached only
/// rank 0 and the job hung with no output. Now every rank learns of it right after setup: one line, exit 1, in seconds.
/// </summary>
public sealed class CliMpiTests
{
    [MpiFact]
    public void A_refusal_on_any_rank_ends_every_rank_at_once_with_one_line_and_exit_1()
    {
        using var ws = new CliWorkspace();
        var folder = ws.PathOf("run");
        var first = ws.Run("train", "--data", ws.Data14x14, "--epochs", "1", "--bs", "50", "--max-items", "100", "--out", folder, "--no-progress");
        Assert.True(first.ExitCode == 0, first.ToString());

        var occupied = RunUnderMpi(ws, "train", "--data", ws.Data14x14, "--epochs", "1", "--bs", "50", "--max-items", "100", "--out", folder, "--no-progress");
        Assert.Contains("already holds a run", occupied, StringComparison.Ordinal);
        // A refusal every rank meets before they can agree (missing data) is also printed once.
        var missing = RunUnderMpi(ws, "train", "--data", ws.PathOf("missing"), "--out", ws.PathOf("never"));
        Assert.Contains("does not exist", missing, StringComparison.Ordinal);
    }

    [MpiFact]
    public void Lr_find_and_evaluate_refuse_to_run_under_mpirun_with_one_line_and_exit_1()
    {
        using var ws = new CliWorkspace();
        var lrFind = RunUnderMpi(ws, "lr-find", "--data", ws.PathOf("unused"), "--out", ws.PathOf("lr"));
        Assert.Contains("lr-find does not run under mpirun", lrFind, StringComparison.Ordinal);
        Assert.False(Directory.Exists(ws.PathOf("lr")));
        var evaluate = RunUnderMpi(ws, "evaluate", "--checkpoint", ws.PathOf("unused"));
        Assert.Contains("evaluate does not run under mpirun", evaluate, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 14, distributed: kill -9 of one rank mid-training. mpirun sends SIGTERM to the others; they must be gone
    /// within seconds, one line must name the lost rank and the checkpoint to resume from, and that checkpoint resumes.
    /// </summary>
    [MpiFact]
    public void When_one_rank_dies_the_others_exit_within_seconds_naming_it_and_the_checkpoint_resumes()
    {
        using var ws = new CliWorkspace();
        var folder = ws.PathOf("run");
        using var job = MpiJob.Start(ws, "train", "--data", ws.Data14x14, "--epochs", "500", "--bs", "50", "--max-items", "300",
            "--out", folder, "--no-progress", "--batch-delay-ms", "40");
        Assert.True(job.WaitForOutput("epoch 2/500", TimeSpan.FromSeconds(90)), "training did not reach epoch 2:\n" + job.Output);
        int victim = job.RankPid(1);
        var clock = Stopwatch.StartNew();
        using (var rank1 = Process.GetProcessById(victim)) rank1.Kill(); // SIGKILL
        Assert.True(job.WaitForExit(TimeSpan.FromSeconds(30)), "the job did not end within 30 s of rank 1's death:\n" + job.Output);
        clock.Stop();
        var text = job.Output;
        Assert.NotEqual(0, job.ExitCode);
        // mpirun ends the others at once (SIGTERM, then SIGKILL); 30 s leaves room for a loaded CI machine.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"ended after {clock.Elapsed}");
        var error = Assert.Single(text.Split('\n'), l => l.Contains("error:", StringComparison.Ordinal));
        Assert.Contains("rank 1 of the 2 processes ended unexpectedly", error, StringComparison.Ordinal);
        Assert.Contains("resume with: mpirun -np 2", error, StringComparison.Ordinal);
        Assert.DoesNotContain("finishing the current batch", text, StringComparison.Ordinal);

        // The last checkpoint resumes (in one process, a few more epochs than it holds).
        var last = Path.Combine(folder, "checkpoint-last");
        Assert.True(File.Exists(last), text);
        var command = CliWorkspace.SplitShell(error[(error.IndexOf("resume with: ", StringComparison.Ordinal) + "resume with: ".Length)..]);
        Assert.Equal(last, command[command.IndexOf("--resume") + 1]);
        var info = Trainwright.Learning.Checkpoint.ReadInfo(last);
        var resumed = ws.Run("train", "--resume", last, "--epochs", (info.Position.Epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-progress");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"Resume: from '{last}' at epoch {info.Position.Epoch + 1}", resumed.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 12 under mpirun: each process reads the table and fits the same preprocessing on the same training split,
    /// trains its shard, and rank 0 alone prints and writes. The checkpoint, evaluated in one process on the whole
    /// validation split, gives the loss the job reported (the model's batch norm statistics are rank 0's on every
    /// process when it validates, and the sharded validation stats add up to the whole split).
    /// </summary>
    [MpiFact]
    public void A_table_trains_under_mpirun_and_its_checkpoint_evaluates_to_the_reported_validation_loss()
    {
        using var ws = new CliWorkspace();
        var csv = WriteTable(ws.PathOf("shapes.csv"), 240);
        var folder = ws.PathOf("run");
        string text;
        using (var job = MpiJob.Start(ws, "train", "--data", csv, "--target", "kind", "--epochs", "2", "--bs", "16", "--opt", "adam",
            "--lr", "0.01", "--out", folder, "--no-progress"))
        {
            Assert.True(job.WaitForExit(TimeSpan.FromSeconds(120)), "the job hung:\n" + job.Output);
            text = job.Output;
            Assert.True(job.ExitCode == 0, $"exit {job.ExitCode}\n{text}");
        }
        var lines = text.Split('\n');
        Assert.Single(lines, l => l.Contains("Data:   shapes.csv: 192 train, 48 valid rows; classify 'kind' (3 classes)", StringComparison.Ordinal)); // after a terminal reset mpirun may print
        Assert.Single(lines, l => l.StartsWith("MPI:    2 processes, batch size 16 each (32 in all)", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("Final validation", StringComparison.Ordinal));
        Assert.DoesNotContain("error:", text, StringComparison.Ordinal);
        foreach (var file in new[] { "model.trainwright", "checkpoint-last", "checkpoint-best", "summary.json", "metrics.csv" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} missing:\n{text}");
        Assert.Equal(3, File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Length); // header + 2 epochs, written once

        double reported;
        using (var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json"))))
            reported = summary.RootElement.GetProperty("final").GetProperty("valid_loss").GetDouble();
        var evaluated = ws.Run("evaluate", "--checkpoint", Path.Combine(folder, "checkpoint-last"));
        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        Assert.Contains("48 items of the validation split", evaluated.Stdout, StringComparison.Ordinal);
        var lossLine = evaluated.Stdout.Split('\n').Single(l => l.StartsWith("Test loss:", StringComparison.Ordinal));
        double loss = double.Parse(lossLine["Test loss:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        // evaluate prints four decimals: equal up to that rounding (5e-5) and the order of float sums.
        Assert.True(Math.Abs(reported - loss) <= 5.1e-5, $"the job reported valid loss {reported}, evaluate measured {loss}");
    }

    /// <summary>
    /// A table whose class <c>kind</c> follows its columns: <c>colour</c> (3 levels), whole-number <c>sides</c>, real
    /// <c>size</c> (some missing) and <c>weight</c>.
    /// </summary>
    private static string WriteTable(string path, int rows)
    {
        var random = new Random(5);
        string[] colours = ["red", "green", "blue"];
        var text = new StringBuilder("colour,sides,size,weight,kind\n");
        for (int i = 0; i < rows; i++)
        {
            int c = random.Next(3), sides = random.Next(3, 9);
            double size = Math.Round(10 * random.NextDouble(), 2), weight = Math.Round(size * 2 + random.NextDouble(), 2);
            string kind = size + c > 8 ? "large" : sides > 5 ? "round" : "sharp";
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{colours[c]},{sides},{(random.NextDouble() < 0.08 ? "" : size)},{weight},{kind}\n");
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>
    /// Issue 10: under mpirun each rank decodes only its share of an image folder's files; the shares are exchanged, so
    /// the decode cache (written once) holds the whole folder, byte for byte what one process decodes alone.
    /// </summary>
    [MpiFact]
    public void Under_mpirun_each_rank_decodes_its_share_of_an_image_folder_and_the_cache_holds_the_whole_folder()
    {
        using var ws = new CliWorkspace();
        var data = ImageFolderWriter.Write(ws.PathOf("digits"), train: 80, valid: 40, test: 0);
        string[] train = ["train", "--data", data, "--epochs", "1", "--bs", "20", "--size", "28", "--aug", "none", "--no-progress"];
        using (var job = MpiJob.Start(ws, [.. train, "--out", ws.PathOf("mpi")]))
        {
            Assert.True(job.WaitForExit(TimeSpan.FromSeconds(120)), "the job hung:\n" + job.Output);
            Assert.True(job.ExitCode == 0, $"exit {job.ExitCode}\n{job.Output}");
            Assert.Contains("MPI:    2 processes", job.Output, StringComparison.Ordinal);
            Assert.Contains("80 train, 40 valid; 10 classes", job.Output, StringComparison.Ordinal);
            // Rank 0 prints its progress: half of the 120 files.
            Assert.Contains("Decoding: 60/60 images", job.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Decoding: 120/120", job.Output, StringComparison.Ordinal);
        }
        var cache = Path.Combine(ws.Root, ".cache", "trainwright", "images");
        var entry = Assert.Single(Directory.GetFiles(cache, "*.u8"));
        var shared = File.ReadAllBytes(entry);

        var fromCache = ws.Run([.. train, "--out", ws.PathOf("cached")]);
        Assert.True(fromCache.ExitCode == 0, fromCache.ToString());
        Assert.DoesNotContain("Decoding", fromCache.Stdout, StringComparison.Ordinal);

        Directory.Delete(cache, recursive: true);
        var alone = ws.Run([.. train, "--out", ws.PathOf("alone")]);
        Assert.True(alone.ExitCode == 0, alone.ToString());
        Assert.Contains("Decoding: 120/120 images", alone.Stdout, StringComparison.Ordinal);
        Assert.Equal(shared, File.ReadAllBytes(entry));

        // A file only rank 1 decodes (the last of the list) that does not decode: every rank stops, one line names it.
        var last = ImageFolderWriter.ClassNames.Order(StringComparer.Ordinal).Last();
        var bad = Path.Combine(data, "valid", last, "zz-broken.png");
        File.WriteAllText(bad, "not a PNG");
        var refused = RunUnderMpi(ws, [.. train, "--out", ws.PathOf("refused")]);
        Assert.Contains(bad, refused, StringComparison.Ordinal);
        Assert.Contains("--skip-bad-images", refused, StringComparison.Ordinal);
    }

    /// <summary>Runs the CLI under mpirun -np 2; asserts it ends with exit 1 and exactly one error line, and returns the output.</summary>
    private static string RunUnderMpi(CliWorkspace ws, params string[] args)
    {
        using var job = MpiJob.Start(ws, args);
        bool ended = job.WaitForExit(TimeSpan.FromSeconds(90));
        var text = job.Output;
        Assert.True(ended, "the job hung:\n" + text);
        Assert.True(job.ExitCode == 1, $"exit {job.ExitCode}\n{text}");
        Assert.Single(text.Split('\n'), l => l.Contains("error:", StringComparison.Ordinal));
        return text;
    }

    /// <summary>A running mpirun -np 2 job of the CLI, its merged output, and its ranks' process ids.</summary>
    private sealed class MpiJob : IDisposable
    {
        private readonly Process mpi;
        private readonly StringBuilder output = new();

        private MpiJob(Process mpi) => this.mpi = mpi;

        public static MpiJob Start(CliWorkspace ws, params string[] args)
        {
            var info = new ProcessStartInfo(MpiRun.FindMpirun()!)
            {
                WorkingDirectory = ws.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", "2", "dotnet", CliProcess.DllPath }.Concat(args))
                info.ArgumentList.Add(a);
            info.Environment["NO_COLOR"] = "1";
            // As CliProcess: the image decode cache stays in the workspace (mpirun passes the environment to the ranks).
            info.Environment["XDG_CACHE_HOME"] = Path.Combine(ws.Root, ".cache");
            var job = new MpiJob(new Process { StartInfo = info });
            job.mpi.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (job.output) job.output.AppendLine(e.Data); };
            job.mpi.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (job.output) job.output.AppendLine(e.Data); };
            job.mpi.Start();
            job.mpi.BeginOutputReadLine();
            job.mpi.BeginErrorReadLine();
            return job;
        }

        public string Output { get { lock (output) return output.ToString(); } }

        public int ExitCode => mpi.ExitCode;

        public bool WaitForOutput(string text, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < timeout && !mpi.HasExited)
            {
                if (Output.Contains(text, StringComparison.Ordinal)) return true;
                Thread.Sleep(50);
            }
            return Output.Contains(text, StringComparison.Ordinal);
        }

        public bool WaitForExit(TimeSpan timeout)
        {
            if (!mpi.WaitForExit(timeout)) return false;
            mpi.WaitForExit(); // drains the readers
            return true;
        }

        /// <summary>The process id of <paramref name="rank"/>: the child of mpirun whose environment says so (Linux /proc).</summary>
        public int RankPid(int rank)
        {
            var wanted = $"OMPI_COMM_WORLD_RANK={rank}";
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) != mpi.Id) continue;
                    if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(wanted)) return pid;
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
            throw new InvalidOperationException($"No child of mpirun ({mpi.Id}) is rank {rank}.\n{Output}");
        }

        public void Dispose()
        {
            if (!mpi.HasExited)
            {
                mpi.Kill(entireProcessTree: true);
                mpi.WaitForExit();
            }
            mpi.Dispose();
        }
    }
}
