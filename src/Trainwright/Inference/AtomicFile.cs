using Trainwright.Data;

namespace Trainwright.Inference;

/// <summary>
/// Writes a file through a temporary file in the same folder and a rename, so readers never see half of it. A target
/// that exists and is not a regular file is refused: the rename would replace it, and for a device such as
/// <c>/dev/null</c> (run as root) that removes the device for every program on the machine.
/// </summary>
internal static class AtomicFile
{
    /// <exception cref="IOException">The target is a folder, a device, a FIFO or a socket, or the write fails.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (RegularFile.WhatElse(full) is { } kind)
            throw new IOException($"'{path}' is {kind}, not a regular file; give the path of a file to write.");
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteText(string path, string text) =>
        Write(path, s => { var bytes = new System.Text.UTF8Encoding(false).GetBytes(text); s.Write(bytes); });
}
