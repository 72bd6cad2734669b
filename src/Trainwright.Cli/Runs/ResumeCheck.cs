using Trainwright.Callbacks;
using Trainwright.Cli.Host;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.IO;
using Trainwright.Learning;

namespace Trainwright.Cli.Runs;

/// <summary>What <c>--resume</c> found and whether the run can go on as asked.</summary>
internal static class ResumeCheck
{
    /// <summary>Reads the checkpoint's header (verified against its checksum).</summary>
    /// <exception cref="CliException">The path is a folder, missing, or not a sound checkpoint.</exception>
    public static CheckpointInfo Read(string option, string path, string hint)
    {
        if (Directory.Exists(path))
            throw new CliException($"{option} '{path}' is a folder; give a checkpoint file in it, e.g. {Path.Combine(path, SaveModel.LastFileName)}.");
        if (!File.Exists(path))
            throw new CliException($"{option} checkpoint '{path}' does not exist; {hint}");
        try
        {
            return Checkpoint.ReadInfo(path);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"{option}: {e.Message}", inner: e);
        }
        catch (IOException e)
        {
            throw new CliException($"{option}: cannot read '{path}': {e.Message}", inner: e);
        }
    }

    /// <summary>
    /// True when the run the checkpoint belongs to has already done every epoch asked; the caller then says so and
    /// changes nothing.
    /// </summary>
    /// <exception cref="CliException">The options contradict the checkpoint (fewer epochs than done, another batch size mid-epoch).</exception>
    public static bool IsFinished(CheckpointInfo resumed, RunSettings settings, RunSettings recorded)
    {
        var at = resumed.Position;
        int done = at.Epoch;
        if (settings.Epochs < done || (settings.Epochs == done && at.BatchesDone > 0))
            throw new CliException(
                $"--epochs {settings.Epochs} is fewer than the run in '{settings.Resume}' has already done ({done} epochs{(at.BatchesDone > 0 ? $" and {at.BatchesDone} batches" : "")}); "
                + "give a larger --epochs to train further.");
        if (at.BatchesDone > 0 && settings.BatchSize != recorded.BatchSize)
            throw new CliException(
                $"'{settings.Resume}' stopped in the middle of epoch {at.Epoch + 1} with --bs {recorded.BatchSize}; resuming it with --bs {settings.BatchSize} "
                + "would skip the wrong items. Resume with the same --bs (drop the option), or resume from a checkpoint taken at an epoch's end.");
        if (at.BatchesDone > 0 && settings.MaxItems != recorded.MaxItems)
            throw new CliException(
                $"'{settings.Resume}' stopped in the middle of an epoch; resume it with the --max-items it was started with (drop the option).");
        return settings.Epochs == done && at.BatchesDone == 0;
    }

    /// <summary>
    /// Checks where a resumed run may write: its own folder, or a new, empty <c>--out</c> (then its metrics and best
    /// checkpoint are carried over, so the new folder continues the run).
    /// </summary>
    public static void PrepareOutput(RunSettings settings)
    {
        var from = Path.GetDirectoryName(settings.Resume!)!;
        if (string.Equals(Path.TrimEndingDirectorySeparator(from), Path.TrimEndingDirectorySeparator(settings.Out), StringComparison.Ordinal)) return;
        if (!OutputFolder.IsEmpty(settings.Out))
            throw new CliException(
                $"--out '{settings.Out}' is not empty; a resumed run writes into its own folder ('{from}', drop --out) or into a new, empty --out.");
        Directory.CreateDirectory(settings.Out);
        foreach (var name in new[] { "metrics.csv", SaveModel.BestFileName })
        {
            var source = Path.Combine(from, name);
            // Copied whole or not at all, and only from a regular file (opening a FIFO to read would wait forever).
            if (File.Exists(source) && RegularFile.WhatElse(source) is null)
                AtomicFile.Write(Path.Combine(settings.Out, name), target => { using var from = File.OpenRead(source); from.CopyTo(target); });
        }
    }
}
