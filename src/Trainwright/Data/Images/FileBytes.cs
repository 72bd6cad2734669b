using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Trainwright.Data.Images;

/// <summary>
/// Reads whole image files into a reused buffer with as few system calls as the platform allows. A small image decodes
/// in tens of microseconds, so opening and reading it is a large share of its cost: on Linux this is open, read until
/// end of file, close (4 calls), where .NET's file handles add two fstat and two flock calls per file. Elsewhere, or
/// when libc cannot be reached, and for every failure (so errors read as .NET words them), .NET's own file API reads.
/// </summary>
internal static partial class FileBytes
{
    private const int OpenReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC on Linux
    private const int Interrupted = 4; // EINTR on Linux
    private static volatile bool native = OperatingSystem.IsLinux();

    /// <summary>
    /// Reads the file at <paramref name="path"/> into <paramref name="buffer"/> (replaced by a larger one when needed)
    /// and returns its length, or -1 when the file is longer than both <paramref name="limit"/> bytes and the buffer
    /// (then only part of it was read).
    /// </summary>
    /// <exception cref="ImageDataException">The file cannot be read, or is longer than an array can hold.</exception>
    public static int Read(string path, ref byte[] buffer, int limit)
    {
        if (native && !path.Contains('\0'))
        {
            try
            {
                int n = ReadNative(path, ref buffer, limit);
                if (n != Failed) return n;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                native = false; // no glibc here (e.g. musl): .NET reads from now on
            }
        }
        return ReadManaged(path, ref buffer, limit);
    }

    private const int Failed = -2;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per image: a first decode should not run unoptimised code
    private static unsafe int ReadNative(string path, ref byte[] buffer, int limit)
    {
        int fd = Open(path, OpenReadOnlyCloseOnExec);
        if (fd < 0) return Failed;
        try
        {
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit) return -1;
                    Grow(ref buffer, length, limit, path);
                }
                nint n;
                fixed (byte* at = &buffer[length])
                    n = ReadFd(fd, at, buffer.Length - length);
                if (n == 0) return length;
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Interrupted) continue;
                    return Failed; // e.g. a directory (EISDIR) or an I/O error: .NET reads again and words the error
                }
                length += (int)n;
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static int ReadManaged(string path, ref byte[] buffer, int limit)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit) return -1;
                    Grow(ref buffer, length, limit, path);
                }
                int n = RandomAccess.Read(handle, buffer.AsSpan(length), length);
                if (n == 0) return length;
                length += n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDataException($"Cannot read image '{path}': {e.Message} Check the file's permissions, or remove it.", path, e);
        }
    }

    // Doubles the buffer (keeping what was read), but not beyond the limit or what an array can hold.
    private static void Grow(ref byte[] buffer, int length, int limit, string path)
    {
        if (length >= Array.MaxLength)
            throw new ImageDataException($"Image '{path}' is more than {Array.MaxLength:N0} bytes, too large to decode; shrink it or remove it.", path);
        var larger = new byte[(int)Math.Min(Math.Min(2L * Math.Max(buffer.Length, 4096), Array.MaxLength), Math.Max(limit, length + 1L))];
        buffer.AsSpan(0, length).CopyTo(larger);
        buffer = larger;
    }

    [LibraryImport("libc.so.6", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadFd(int fd, byte* buffer, nint count);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);
}
