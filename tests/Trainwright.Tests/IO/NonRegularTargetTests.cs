using Trainwright.Callbacks;
using Trainwright.Data;
using Trainwright.Data.Images;
using Trainwright.Learning;
using Trainwright.Plotting;
using Trainwright.Tests.Images;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.IO;

/// <summary>
/// Every library writer, given an output path that exists and is not a regular file (a FIFO standing in for a device
/// such as <c>/dev/null</c>), refuses with a message naming the path and what it is, and leaves it as it was: no rename
/// over it, no write through it, no wait on it, and no temporary file left beside it.
/// </summary>
public sealed class NonRegularTargetTests : IDisposable
{
    private readonly TempFolder dir = new("trainwright-fifo-");

    public void Dispose() => dir.Dispose();

    /// <summary>
    /// Runs <paramref name="write"/> (which returns the exception it expects) against a fresh FIFO <paramref name="name"/>
    /// and checks the refusal and what is left; <paramref name="expected"/> is part of the message (by default what any
    /// writer but a folder's says about a FIFO).
    /// </summary>
    private void Refused(string name, Func<string, Exception> write, string expected = NotRegular)
    {
        var fifo = Fifo.Make(dir.File(name));
        Exception? error = null;
        Fifo.Within(() => error = write(fifo));
        var messages = string.Join(" | ", Chain(error!).Select(e => e.Message));
        Assert.Contains(fifo, messages, StringComparison.Ordinal);
        Assert.Contains(expected, messages, StringComparison.Ordinal);
        Fifo.AssertStillAFifo(fifo);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp*"));
    }

    private const string NotRegular = "is a FIFO (named pipe), not a regular file";

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }

    [Fact]
    public void A_checkpoint_is_never_written_over_a_fifo()
    {
        if (OperatingSystem.IsWindows()) return;
        var learner = Tiny.Learner();
        Refused("checkpoint-last", fifo => Assert.Throws<IOException>(() => Checkpoint.Save(fifo, learner, new LoopPosition(0, 0, 0, 0))),
            "Could not write checkpoint");
    }

    [Fact]
    public void The_csv_log_refuses_a_fifo_before_reading_or_writing_it_also_in_append_mode()
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var append in new[] { false, true })
        {
            var learner = Tiny.Learner(callbacks: [new AvgStats(), new CsvLogger(dir.File($"log-{append}.csv"), append)]);
            Refused($"log-{append}.csv", _ => Assert.Throws<CallbackException>(() => learner.Fit(1)));
        }
    }

    [Fact]
    public void The_tensorboard_logger_refuses_a_log_folder_that_is_a_fifo()
    {
        if (OperatingSystem.IsWindows()) return;
        var learner = Tiny.Learner(callbacks: [new TensorBoardLogger(dir.File("tb"))]);
        Refused("tb", _ => Assert.Throws<CallbackException>(() => learner.Fit(1)), "is a FIFO (named pipe), not a folder");
    }

    [Fact]
    public void Charts_and_image_grids_are_not_drawn_over_a_fifo()
    {
        if (OperatingSystem.IsWindows()) return;
        Refused("loss.png", fifo => Assert.Throws<IOException>(() =>
            Charts.Line(fifo, "t", "x", "y", [new Series("a", [1.0, 2.0], [3.0, 4.0])])), NotRegular);
        using var images = zeros(2, 1, 8, 8);
        Refused("grid.png", fifo => Assert.Throws<IOException>(() => ImageGrid.Save(fifo, images, ["a", "b"])), NotRegular);
    }

    [Fact]
    public void Idx_files_and_checksum_lists_are_not_written_over_a_fifo()
    {
        if (OperatingSystem.IsWindows()) return;
        Refused("train-labels-idx1-ubyte", fifo => Assert.Throws<IOException>(() => IdxWriter.Write(fifo, new byte[] { 1, 2, 3 }, 3)),
            NotRegular);
        File.WriteAllText(dir.File("a.bin"), "a");
        Refused("SHA256SUMS", _ => Assert.Throws<IOException>(() => Sha256Sums.Write(dir.Path, ["a.bin"], "SHA256SUMS")), NotRegular);
    }

    [Fact]
    public void The_decode_cache_treats_fifos_as_a_miss_and_the_skipped_list_refuses_one()
    {
        if (OperatingSystem.IsWindows()) return;
        using var cacheDir = new TempFolder();
        for (int label = 0; label < 2; label++)
            for (int i = 0; i < 3; i++)
                ImageFiles.Write(dir.File("data", $"c{label}", $"{i}.png"), ImageFiles.Filled(8, 8, 1, (byte)(60 * label + i)), 8, 8, 1);
        var options = new ImageFolderOptions { CacheFolder = cacheDir.Path, DecodeWorkers = 0, ValidPct = 0.34 };
        string[] entry;
        using (ImageFolderData.Load(dir.File("data"), options))
            entry = [.. Directory.GetFiles(cacheDir.Path)];
        Assert.Equal(2, entry.Length); // the pixels (.u8) and the manifest (.json)

        // The same entry's files replaced by FIFOs: reading them would wait forever and saving would rename over them.
        foreach (var file in entry) { File.Delete(file); Fifo.Make(file); }
        ImageFolderData? second = null;
        Fifo.Within(() => second = ImageFolderData.Load(dir.File("data"), options));
        using (second)
        {
            Assert.False(second!.FromCache);
            Assert.Equal(6, second.TrainCount + second.ValidCount);
            foreach (var file in entry) Fifo.AssertStillAFifo(file);
            Assert.Empty(Directory.GetFiles(cacheDir.Path, "*.tmp*"));

            Refused("skipped.txt", fifo => Assert.Throws<IOException>(() => second.WriteSkippedList(fifo)), NotRegular);
        }
    }
}
