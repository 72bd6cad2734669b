using System.Diagnostics;
using System.IO.Compression;
using Trainwright.Data;

namespace Trainwright.Cli.Host;

/// <summary>
/// Makes the first call of the native functions a training command's main thread needs while libtorch loads in the
/// background (clocks, random seeds, file status, opening, reading and listing files, the current and home folders,
/// the local time zone, the console, gzip), before that load starts. The first call of a native function resolves it through the dynamic loader, which
/// takes the loader's lock, and libtorch's load holds that lock for most of its time (its relocations and static
/// initialisers): without this, the main thread waited for the whole load at its first file access instead of
/// resolving the settings and reading the data meanwhile.
/// </summary>
internal static class NativeWarmup
{
    // The smallest gzip member: an empty deflate stream, CRC and length zero.
    private static readonly byte[] EmptyGzip = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public static void Run()
    {
        _ = DateTime.Now; // the local time zone: reads /etc/localtime
        _ = Stopwatch.GetTimestamp();
        _ = "seed".GetHashCode(StringComparison.Ordinal); // string hashing's random seed
        _ = Random.Shared.Next();
        _ = Environment.CurrentDirectory;
        _ = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile); // the cache folder: the user id, access checks
        var self = typeof(NativeWarmup).Assembly.Location;
        var folder = AppContext.BaseDirectory;
        _ = File.Exists(self);
        _ = Directory.Exists(folder);
        _ = new FileInfo(self).LastWriteTimeUtc;
        _ = File.GetAttributes(self); // read-only or not: the effective user id
        _ = RegularFile.WhatElse(self);
        using (var file = new FileStream(self, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
        {
            _ = file.Length;
            _ = file.ReadByte();
            file.Position = 0;
        }
        using (var entries = Directory.EnumerateFileSystemEntries(folder).GetEnumerator()) _ = entries.MoveNext();
        using (var gzip = new GZipStream(new MemoryStream(EmptyGzip), CompressionMode.Decompress)) _ = gzip.ReadByte();
        _ = Console.IsOutputRedirected;
        _ = Console.Out;
        _ = Console.Error;
    }
}
