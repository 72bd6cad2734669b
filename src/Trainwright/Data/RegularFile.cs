using System.Runtime.InteropServices;

namespace Trainwright.Data;

/// <summary>
/// Refuses paths that are not regular files before anything opens them: opening a FIFO blocks until a writer appears,
/// and a link to <c>/dev/zero</c> or <c>/dev/urandom</c> never ends. Links are followed, so a link to a regular file is fine.
/// </summary>
public static partial class RegularFile
{
    // The .NET runtime's own native shim (shipped with every runtime): its FileStatus starts with two int32 fields,
    // flags then mode, and the mode's type bits use the portable values below on every Unix.
    private const int TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000, Fifo = 0x1000, CharDevice = 0x2000, BlockDevice = 0x6000, Socket = 0xC000;

    /// <summary>What <paramref name="path"/> is when it is not a regular file ("a FIFO", "a device"…), or null when it is one (or does not exist).</summary>
    public static string? WhatElse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows()) return null;
        var status = new byte[512];
        if (Stat(path, status) != 0) return null; // missing or unreadable: the caller's open reports it
        int type = BitConverter.ToInt32(status, 4) & TypeMask;
        return type switch
        {
            Regular => null,
            Directory => "a folder",
            Fifo => "a FIFO (named pipe)",
            CharDevice or BlockDevice => "a device",
            Socket => "a socket",
            _ => "not a regular file",
        };
    }

    /// <summary>Throws an <see cref="IOException"/> naming <paramref name="path"/> when it is not a regular file.</summary>
    /// <param name="path">The file about to be read.</param>
    /// <param name="what">What the file should be, for the message (e.g. "IDX file", "checkpoint").</param>
    public static void Require(string path, string what)
    {
        if (WhatElse(path) is { } kind)
            throw new IOException($"The {what} '{path}' is {kind}, not a regular file; give a regular file.");
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, [Out] byte[] status);
}
