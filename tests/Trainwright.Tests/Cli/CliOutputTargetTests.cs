using Trainwright.Tests.Support;

namespace Trainwright.Tests.Cli;

/// <summary>
/// Output paths a user gives that exist and are not what the option writes (a device, FIFO or socket where a file or
/// folder is expected): <c>export --onnx /dev/null</c> run as root once replaced the device with a regular file. Each
/// option refuses with one line naming itself and the path, exit code 1, and the path is left as it was. A FIFO stands in
/// for the device; no test touches a real one. (<c>export --onnx</c> is checked in <see cref="CliPredictExportTests"/>.)
/// </summary>
public sealed class CliOutputTargetTests
{
    private static void AssertRefused(CliResult result, string expectedLine, string fifo)
    {
        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(expectedLine, line);
        Fifo.AssertStillAFifo(fifo);
    }

    [Fact]
    public void Show_batch_out_refuses_a_fifo_before_reading_the_data_and_leaves_it_a_fifo()
    {
        if (OperatingSystem.IsWindows()) return;
        using var ws = new CliWorkspace();
        var data = ImageFolderWriter.Write(ws.PathOf("images"), train: 100, valid: 10, test: 0);
        var fifo = Fifo.Make(ws.PathOf("batch.png"));
        AssertRefused(ws.Run("show-batch", "--data", data, "--out", fifo, "--count", "4"),
            $"error: --out '{fifo}' is a FIFO (named pipe), not a regular file; give a file name such as show-batch.png.", fifo);
        // The same command writes a regular file: the refusal is the FIFO's doing.
        var png = ws.PathOf("batch-ok.png");
        var ok = ws.Run("show-batch", "--data", data, "--out", png, "--count", "4");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.True(new FileInfo(png).Length > 0);
    }

    [Fact]
    public void Every_out_folder_option_refuses_a_fifo_naming_it()
    {
        if (OperatingSystem.IsWindows()) return;
        using var ws = new CliWorkspace();
        var data = ws.Data14x14;
        string[][] commands =
        [
            ["train", "--data", data, "--epochs", "1", "--max-items", "40", "--no-progress"],
            ["lr-find", "--data", data, "--max-items", "40", "--max-iter", "3"],
            ["init-study", "--data", data, "--images", "4"],
            ["schedules", "--plot"],
        ];
        foreach (var command in commands)
        {
            var fifo = Fifo.Make(ws.PathOf($"{command[0]}-out"));
            AssertRefused(ws.Run([.. command, "--out", fifo]),
                $"error: --out '{fifo}' is a FIFO (named pipe); give a folder (it is created when missing).", fifo);
        }
    }

    [Fact]
    public void Train_refuses_a_run_folder_whose_metrics_csv_or_lock_is_a_fifo_and_leaves_them()
    {
        if (OperatingSystem.IsWindows()) return;
        using var ws = new CliWorkspace();
        string[] train = ["train", "--data", ws.Data14x14, "--epochs", "1", "--max-items", "40", "--no-progress"];

        var metrics = Fifo.Make(Path.Combine(Directory.CreateDirectory(ws.PathOf("run-metrics")).FullName, "metrics.csv"));
        AssertRefused(ws.Run([.. train, "--out", ws.PathOf("run-metrics")]),
            $"error: CsvLogger cannot write '{metrics}': it is a FIFO (named pipe), not a regular file; give the path of a CSV file.", metrics);

        var lockFile = Fifo.Make(Path.Combine(Directory.CreateDirectory(ws.PathOf("run-lock")).FullName, ".trainwright.lock"));
        AssertRefused(ws.Run([.. train, "--out", ws.PathOf("run-lock")]),
            $"error: --out '{ws.PathOf("run-lock")}' holds .trainwright.lock, which is a FIFO (named pipe), not a regular file; remove it, or choose another --out.", lockFile);
    }
}
