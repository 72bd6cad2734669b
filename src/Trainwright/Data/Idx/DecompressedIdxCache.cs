using System.Globalization;
using Trainwright.IO;

namespace Trainwright.Data;

/// <summary>
/// Keeps the decompressed content of large gzip-compressed IDX files (MNIST's training images are 9.9 MB of gzip and
/// 47 MB of pixels) in the user's cache folder, so a later run reads the plain bytes instead of inflating them again (about
/// 85 ms of CPU for MNIST on the development machine). An entry belongs to one compressed file as it is: its name holds
/// the file's size, its modification time and a hash of its full path, so any change to the file (which changes its
/// modification time) makes a new entry, and the file is read again. Entries are plain IDX files, written whole or not at
/// all (<see cref="AtomicFile"/>); one that does not read back as a valid IDX file of the right length (truncated,
/// damaged) is deleted and rebuilt from the compressed file. The cache is best effort: when its folder cannot be read or
/// written, files are simply decompressed as before. The oldest entries beyond <see cref="MaxEntries"/> are deleted.
/// </summary>
internal static class DecompressedIdxCache
{
    /// <summary>Files whose content is smaller than this are not cached: they inflate faster than a cache entry is found.</summary>
    public const long MinimumBytes = 1 << 20;

    /// <summary>The most entries kept (MNIST takes two: the training and test images).</summary>
    public const int MaxEntries = 8;

    /// <summary>The entries' file name extension.</summary>
    public const string Extension = ".idx";

    /// <summary>
    /// The default folder: <c>$XDG_CACHE_HOME/trainwright/idx</c>, or <c>~/.cache/trainwright/idx</c> when the variable is
    /// unset; null when there is no home folder either.
    /// </summary>
    public static string? DefaultFolder() =>
        VerifiedChecksums.DefaultPath() is { } record ? Path.Combine(Path.GetDirectoryName(record)!, "idx") : null;

    /// <summary>
    /// Reads the gzip-compressed IDX file <paramref name="gzipPath"/> through the cache in <paramref name="folder"/>: its
    /// entry when there is a valid one, otherwise the file itself (then stored as an entry when large enough).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IdxFormatException">The file is malformed (errors always name the compressed file, never the cache).</exception>
    public static IdxData Read(string gzipPath, string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(gzipPath);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var stamp = VerifiedChecksums.Stamp(gzipPath);
        if (stamp is null) return IdxReader.Read(gzipPath); // missing: the reader says so
        var entry = Path.Combine(folder, EntryName(stamp.Value));
        if (TryReadEntry(entry) is { } cached) return cached;

        var data = IdxReader.Read(gzipPath);
        if (ContentBytes(data) >= MinimumBytes && IsSettled(stamp.Value) && VerifiedChecksums.Stamp(gzipPath) == stamp)
            TryWriteEntry(entry, data, folder);
        return data;
    }

    /// <summary>The entry's file name: the compressed file's name without <c>.gz</c>, its size, modification time and a hash of its full path.</summary>
    public static string EntryName(VerifiedChecksums.FileStamp stamp)
    {
        var name = Path.GetFileName(stamp.Path);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
        return string.Create(CultureInfo.InvariantCulture, $"{name}.{stamp.Size}.{stamp.ModifiedTicks}.{PathHash(stamp.Path):x16}{Extension}");
    }

    private static IdxData? TryReadEntry(string entry)
    {
        if (!File.Exists(entry)) return null;
        try
        {
            return IdxReader.Read(entry);
        }
        catch (Exception e) when (e is IdxFormatException or IOException or UnauthorizedAccessException)
        {
            // Truncated, damaged or unreadable: rebuilt from the compressed file below.
            TryDelete(entry);
            return null;
        }
    }

    private static void TryWriteEntry(string entry, IdxData data, string folder)
    {
        try
        {
            var bytes = IdxWriter.Encode(data);
            AtomicFile.Write(entry, s => s.Write(bytes), bufferSize: 1 << 16);
            Trim(folder, keep: entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only cache folder only means the next run decompresses again.
        }
    }

    /// <summary>Deletes the oldest entries beyond <see cref="MaxEntries"/> (never <paramref name="keep"/>).</summary>
    private static void Trim(string folder, string keep)
    {
        var entries = new DirectoryInfo(folder).GetFiles("*" + Extension)
            .Where(f => f.FullName != Path.GetFullPath(keep))
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .Skip(MaxEntries - 1);
        foreach (var old in entries) TryDelete(old.FullName);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for a later run; a damaged entry is read (and refused) again then.
        }
    }

    // A compressed file modified within the last moments could change again within the same timestamp tick.
    private static bool IsSettled(VerifiedChecksums.FileStamp stamp) =>
        DateTime.UtcNow.Ticks - stamp.ModifiedTicks >= VerifiedChecksums.SettleTime.Ticks;

    private static long ContentBytes(IdxData data) => data.ElementCount * IdxElementTypes.SizeOf(data.ElementType);

    // FNV-1a over the UTF-16 path: no cryptography to initialise at start-up, and the size and time in the name already
    // tell a changed file apart; the hash only keeps files of the same name in different folders apart.
    private static ulong PathHash(string path)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in path)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
