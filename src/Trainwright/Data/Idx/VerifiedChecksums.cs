using System.Globalization;
using System.Text;

namespace Trainwright.Data;

/// <summary>
/// Remembers which files were found to match their SHA-256, so unchanged data is not hashed again on every run. A file
/// counts as verified only while its full path, size and modification time are exactly those recorded with the digest;
/// any write to the file changes its modification time, so a damaged or replaced file is hashed (and refused) again.
/// A file modified within <see cref="SettleTime"/> of its verification is not remembered: file systems stamp times
/// coarsely (a few milliseconds on Linux, seconds on some), and a write in the same tick would keep the time unchanged.
/// The record is one small text file (tab-separated: digest, size, modification ticks, path), rewritten through a
/// temporary file and a rename; when it cannot be read or written, files are simply hashed as before.
/// </summary>
internal sealed class VerifiedChecksums
{
    /// <summary>The record's file name in the cache folder.</summary>
    public const string FileName = "verified-sha256.tsv";

    /// <summary>How old a file's modification time must be before its verification is remembered.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    private const int MaxEntries = 256;
    private readonly string path;
    // Insertion order is kept (re-added entries move to the end), so trimming drops the longest-unused ones.
    private readonly List<Entry> entries;
    private bool changed;

    private readonly record struct Entry(string Sha256, long Size, long ModifiedTicks, string Path);

    private VerifiedChecksums(string path, List<Entry> entries)
    {
        this.path = path;
        this.entries = entries;
    }

    /// <summary>
    /// The default record: <c>$XDG_CACHE_HOME/trainwright/verified-sha256.tsv</c>, or <c>~/.cache/trainwright/…</c> when the
    /// variable is unset; null when there is no home folder either.
    /// </summary>
    public static string? DefaultPath()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var baseFolder = !string.IsNullOrEmpty(xdg) ? xdg : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache") : null;
        return baseFolder is null ? null : Path.Combine(baseFolder, "trainwright", FileName);
    }

    /// <summary>Reads the record at <paramref name="recordPath"/>; a missing, unreadable or damaged record starts empty.</summary>
    public static VerifiedChecksums Open(string recordPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordPath);
        var entries = new List<Entry>();
        try
        {
            if (File.Exists(recordPath))
                foreach (var line in File.ReadLines(recordPath))
                    if (TryParse(line, out var entry))
                        entries.Add(entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            entries.Clear();
        }
        return new VerifiedChecksums(recordPath, entries);
    }

    /// <summary>A file's identity as the record keeps it: its full path, size and modification time (UTC ticks).</summary>
    public readonly record struct FileStamp(string Path, long Size, long ModifiedTicks);

    /// <summary>The stamp of <paramref name="file"/> now, or null when it does not exist. Take it before hashing the file.</summary>
    public static FileStamp? Stamp(string file)
    {
        var info = new FileInfo(file);
        if (!info.Exists) return null;
        return new FileStamp(info.FullName, info.Length, info.LastWriteTimeUtc.Ticks);
    }

    /// <summary>Whether the file of <paramref name="stamp"/> was verified against <paramref name="sha256"/> and has not changed since.</summary>
    public bool IsVerified(FileStamp stamp, string sha256)
    {
        foreach (var e in entries)
            if (e.Path == stamp.Path && e.Size == stamp.Size && e.ModifiedTicks == stamp.ModifiedTicks
                && string.Equals(e.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    /// <summary>
    /// Remembers that the file of <paramref name="stamp"/> (taken before it was hashed) matched <paramref name="sha256"/>;
    /// nothing when it changed since the stamp or too recently (<see cref="SettleTime"/>) to be told apart from a later write.
    /// </summary>
    public void Record(FileStamp stamp, string sha256)
    {
        if (Stamp(stamp.Path) != stamp) return;
        if (DateTime.UtcNow.Ticks - stamp.ModifiedTicks < SettleTime.Ticks) return;
        if (stamp.Path.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0) return; // not expressible in the record's lines
        entries.RemoveAll(e => e.Path == stamp.Path);
        entries.Add(new Entry(sha256.ToLowerInvariant(), stamp.Size, stamp.ModifiedTicks, stamp.Path));
        if (entries.Count > MaxEntries) entries.RemoveRange(0, entries.Count - MaxEntries);
        changed = true;
    }

    /// <summary>Writes the record if it changed; a folder that cannot be written is left alone (the next run hashes again).</summary>
    public void Save()
    {
        if (!changed) return;
        string? temporary = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var text = new StringBuilder();
            foreach (var e in entries)
                text.Append(CultureInfo.InvariantCulture, $"{e.Sha256}\t{e.Size}\t{e.ModifiedTicks}\t{e.Path}\n");
            // A unique temporary name: two processes (MPI ranks) may save at once, and the last rename wins whole.
            temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temporary, text.ToString());
            File.Move(temporary, path, overwrite: true);
            temporary = null;
            changed = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not writable (a read-only home, a full disk): verification still happened; it is just not remembered.
        }
        finally
        {
            if (temporary is not null)
            {
                try { File.Delete(temporary); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
    }

    private static bool TryParse(string line, out Entry entry)
    {
        entry = default;
        var parts = line.Split('\t');
        if (parts.Length != 4 || parts[0].Length != 64 || !parts[0].All(char.IsAsciiHexDigit)) return false;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)) return false;
        if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)) return false;
        if (parts[3].Length == 0 || !Path.IsPathFullyQualified(parts[3])) return false;
        entry = new Entry(parts[0], size, ticks, parts[3]);
        return true;
    }
}
