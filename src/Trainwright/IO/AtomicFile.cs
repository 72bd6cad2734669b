using System.Text;
using Trainwright.Data;

namespace Trainwright.IO;

/// <summary>
/// Writes a file whole or not at all: through a temporary file in the same folder, flushed to disk, then renamed over the
/// target, so a reader or a crash never sees half of it and the previous file stays until the new one is complete. Every
/// file the library and the command write goes through here.
/// <para>
/// A target that exists and is not a regular file (a folder, a device, a FIFO, a socket) is refused and left as it is:
/// the rename would replace it, and for a device such as <c>/dev/null</c> (run as root) that removes the device for
/// every program on the machine. A symbolic link is judged by what it points at; a link to a regular file is replaced
/// by the new file, and the file it pointed at is left as it was.
/// </para>
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// The search pattern (for <see cref="Directory.EnumerateFiles(string, string)"/>) matching the temporary files this
    /// class makes: <c>.NAME.PID.GUID.tmp</c>. A process killed mid-write leaves one behind; only a caller that knows no
    /// live writer uses the folder (e.g. one holding the folder's lock) may delete them.
    /// </summary>
    public const string TemporaryFilePattern = ".*.tmp";

    /// <summary>Writes the file by calling <paramref name="write"/> with a stream on a temporary file, then renaming it over <paramref name="path"/>.</summary>
    /// <param name="path">The file to write; its folder is created when missing.</param>
    /// <param name="write">Writes the whole content; an exception from it leaves <paramref name="path"/> untouched.</param>
    /// <param name="bufferSize">The temporary file stream's buffer size in bytes.</param>
    /// <exception cref="IOException">The target is a folder, a device, a FIFO or a socket, or the write fails.</exception>
    public static void Write(string path, Action<Stream> write, int bufferSize = 4096)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        var full = Path.GetFullPath(path);
        RequireReplaceable(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            // Checked again just before the rename: the target may have changed while the content was written.
            RequireReplaceable(path);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte order mark; see <see cref="Write"/>.</summary>
    /// <exception cref="IOException">The target is a folder, a device, a FIFO or a socket, or the write fails.</exception>
    public static void WriteText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, s => s.Write(Utf8.GetBytes(text)));
    }

    /// <summary>Writes <paramref name="bytes"/>; see <see cref="Write"/>.</summary>
    /// <exception cref="IOException">The target is a folder, a device, a FIFO or a socket, or the write fails.</exception>
    public static void WriteBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>
    /// Throws when <paramref name="path"/> exists and is not a regular file, so a writer can refuse before any work (a
    /// missing path passes). <see cref="Write"/> checks this itself.
    /// </summary>
    /// <exception cref="IOException">The path is a folder, a device, a FIFO or a socket.</exception>
    public static void RequireReplaceable(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (RegularFile.WhatElse(Path.GetFullPath(path)) is { } kind)
            throw new IOException($"'{path}' is {kind}, not a regular file; give the path of a file to write.");
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
