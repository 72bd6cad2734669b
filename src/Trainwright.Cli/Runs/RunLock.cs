using System.Globalization;
using Trainwright.Cli.Host;
using Trainwright.Data;
using Trainwright.IO;

namespace Trainwright.Cli.Runs;

/// <summary>
/// Makes a run folder belong to one run while it writes: an OS-level exclusive lock on <c>.trainwright.lock</c> (flock on
/// Unix, a share-none handle on Windows), held until disposed. The OS drops the lock when its process dies, so a folder
/// left by a killed run is taken over by the next one without any manual step; the file only names the holder for the message.
/// </summary>
internal sealed class RunLock : IDisposable
{
    public const string FileName = ".trainwright.lock";
    /// <summary>Names the holder (pid, start time): a separate file, since .NET's lock keeps other processes from reading the lock file itself.</summary>
    public const string OwnerFileName = ".trainwright.lock.owner";
    private readonly FileStream stream;
    private readonly string path;

    private RunLock(FileStream stream, string path)
    {
        this.stream = stream;
        this.path = path;
    }

    /// <summary>Locks <paramref name="folder"/> (created when missing) for this process.</summary>
    /// <exception cref="CliException">Another live process holds the folder.</exception>
    public static RunLock Acquire(string folder, string option = "--out")
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        // Only a regular file (or none) is opened: the lock must not open, or hang on, a FIFO or device left in its place.
        if (RegularFile.WhatElse(path) is { } kind)
            throw new CliException($"{option} '{folder}' holds {FileName}, which is {kind}, not a regular file; remove it, or choose another {option}.");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && !OutputFolder.IsDiskFull(e))
        {
            throw new CliException($"{option} '{folder}' is in use by another trainwright run ({Holder(path)}); wait for it to finish, or choose another {option}.", inner: e);
        }
        var text = string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}, started {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz}\n");
        try
        {
            AtomicFile.WriteText(Path.Combine(folder, OwnerFileName), text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the message of a refused second run uses it.
        }
        return new RunLock(stream, path);
    }

    private static string Holder(string path)
    {
        try
        {
            var owner = Path.Combine(Path.GetDirectoryName(path)!, OwnerFileName);
            if (RegularFile.WhatElse(owner) is not null) return "its lock file is held"; // reading a FIFO would wait forever
            var line = File.ReadLines(owner).FirstOrDefault();
            return string.IsNullOrWhiteSpace(line) ? "its lock file is held" : line.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "its lock file is held";
        }
    }

    public void Dispose()
    {
        // The owner file first: a new run may take the lock as soon as it is released.
        try { File.Delete(Path.Combine(Path.GetDirectoryName(path)!, OwnerFileName)); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        stream.Dispose();
    }
}
