using System.Globalization;
using Trainwright.Cli.Host;
using Trainwright.Data;
using Trainwright.IO;

namespace Trainwright.Cli.Runs;

/// <summary>Picks and checks the folder a command writes into, before any work is done.</summary>
internal static class OutputFolder
{
    /// <summary><c>runs/&lt;yyyyMMdd-HHmmss&gt;</c> under the current directory, with a suffix if that second is taken.</summary>
    public static string NewRunFolder(string? suffix = null)
    {
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + (suffix is null ? "" : "-" + suffix);
        var path = Path.GetFullPath(Path.Combine("runs", stamp));
        for (int i = 2; Directory.Exists(path); i++)
            path = Path.GetFullPath(Path.Combine("runs", $"{stamp}-{i}"));
        return path;
    }

    /// <summary>Creates <paramref name="folder"/> if needed and proves it is writable by writing and deleting a small file.</summary>
    /// <exception cref="CliException">The folder cannot be created or written.</exception>
    public static void EnsureWritable(string folder, string option = "--out")
    {
        try
        {
            // File.Exists is true for anything but a folder: a device, a FIFO or a socket is named as such.
            if (File.Exists(folder))
                throw new CliException($"{option} '{folder}' is {RegularFile.WhatElse(folder) ?? "a file"}; give a folder (it is created when missing).");
            Directory.CreateDirectory(folder);
            // A new name, created exclusively: the probe never opens (or writes through) something already there.
            var probe = Path.Combine(folder, $".write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                stream.Write(new byte[4096]);
            }
            finally
            {
                if (File.Exists(probe)) File.Delete(probe);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot write to {option} folder '{folder}': {e.Message} Choose a writable folder with {option}.", inner: e);
        }
    }

    /// <summary>
    /// Deletes the temporary files (<c>.NAME.….tmp</c>) an <see cref="AtomicFile"/> write leaves when its process is killed mid-save. Call it
    /// only while holding the folder's <see cref="RunLock"/>: then no live writer owns them.
    /// </summary>
    /// <returns>How many were removed.</returns>
    public static int RemoveStaleTemporaries(string folder)
    {
        int removed = 0;
        if (!Directory.Exists(folder)) return 0;
        foreach (var file in Directory.EnumerateFiles(folder, AtomicFile.TemporaryFilePattern))
        {
            try { File.Delete(file); removed++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>Whether the folder holds nothing (or does not exist).</summary>
    public static bool IsEmpty(string folder) =>
        !Directory.Exists(folder)
        || !Directory.EnumerateFileSystemEntries(folder).Any(e => Path.GetFileName(e) is not (RunLock.FileName or RunLock.OwnerFileName));

    // ENOSPC (28) and EDQUOT (122) on Linux; ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    public static bool IsDiskFull(Exception e) =>
        e.HResult is 28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
        || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
        || (e.InnerException is { } inner && IsDiskFull(inner));
}
