using System.Security.Cryptography;
using Trainwright.IO;

namespace Trainwright.Data;

/// <summary>
/// Checks a folder against a checksum list in <c>sha256sum</c> format: one line per file,
/// <c>&lt;64 hex digits&gt;</c>, a space, then a space (text mode) or <c>*</c> (binary mode), then the file name.
/// </summary>
internal static class Sha256Sums
{
    /// <summary>The conventional name of the checksum list.</summary>
    public const string DefaultFileName = "SHA256SUMS";

    /// <summary>
    /// Verifies every file listed in <paramref name="folder"/>/<paramref name="listFileName"/>; returns the checked paths.
    /// With <paramref name="remembered"/>, a file already verified against the listed digest and unchanged since (same
    /// path, size and modification time) is not hashed again, and the files that match are remembered.
    /// </summary>
    /// <exception cref="FileNotFoundException">The list or a listed file is missing.</exception>
    /// <exception cref="InvalidDataException">A line of the list is malformed.</exception>
    /// <exception cref="ChecksumMismatchException">A file's digest differs from the listed one.</exception>
    public static IReadOnlyList<string> Verify(string folder, string listFileName = DefaultFileName, VerifiedChecksums? remembered = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var listPath = Path.Combine(folder, listFileName);
        if (!File.Exists(listPath))
            throw new FileNotFoundException($"Checksum list '{listPath}' does not exist; a folder to verify needs a '{listFileName}' in sha256sum format.", listPath);
        var checkedFiles = new List<string>();
        foreach (var (expected, name) in Parse(listPath))
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
                throw new FileNotFoundException($"'{path}' is listed in '{listPath}' but does not exist.", path);
            checkedFiles.Add(path);
            var stamp = remembered is null ? null : VerifiedChecksums.Stamp(path);
            if (stamp is { } known && remembered!.IsVerified(known, expected)) continue;
            var actual = Compute(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                remembered?.Save(); // keep what did verify
                throw new ChecksumMismatchException(path, expected.ToLowerInvariant(), actual);
            }
            if (stamp is { } hashed) remembered!.Record(hashed, expected);
        }
        remembered?.Save();
        return checkedFiles;
    }

    /// <summary>The SHA-256 of a file as lower-case hex.</summary>
    public static string Compute(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Writes a checksum list for <paramref name="fileNames"/> (relative to <paramref name="folder"/>).</summary>
    public static void Write(string folder, IEnumerable<string> fileNames, string listFileName = DefaultFileName)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        var lines = fileNames.Select(name => $"{Compute(Path.Combine(folder, name))}  {name}\n");
        AtomicFile.WriteText(Path.Combine(folder, listFileName), string.Concat(lines));
    }

    /// <summary>The (digest, file name) entries of a checksum list; blank lines are skipped.</summary>
    public static IReadOnlyList<(string Sha256, string FileName)> Parse(string listPath)
    {
        var entries = new List<(string, string)>();
        var lines = File.ReadAllLines(listPath);
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            bool wellFormed = line.Length > 66 && line[64] == ' ' && (line[65] == ' ' || line[65] == '*')
                && line[..64].All(char.IsAsciiHexDigit);
            if (!wellFormed)
                throw new InvalidDataException(
                    $"'{listPath}' line {i + 1} is not in sha256sum format ('<64 hex digits>  <file name>'): \"{line}\".");
            entries.Add((line[..64], line[66..]));
        }
        return entries;
    }
}
