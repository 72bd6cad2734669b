namespace Trainwright.Cli.Host;

/// <summary>Formats a command line the user can paste into a POSIX shell to run this program again.</summary>
internal static class ShellCommand
{
    /// <summary>
    /// How this process was started: <c>dotnet /path/trainwright.dll</c> when run through the dotnet host,
    /// <c>trainwright</c> when the executable found on PATH is this one (an installed tool), otherwise the executable's path
    /// (e.g. the apphost <c>dotnet run</c> starts).
    /// </summary>
    public static string Program()
    {
        var process = Environment.ProcessPath ?? "trainwright";
        var name = Path.GetFileNameWithoutExtension(process);
        if (name.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var dll = typeof(ShellCommand).Assembly.Location;
            return $"dotnet {Quote(dll)}";
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                if (string.Equals(Path.GetFullPath(Path.Combine(dir, Path.GetFileName(process))), process, StringComparison.Ordinal))
                    return Path.GetFileName(process);
            }
            catch (ArgumentException)
            {
                // A malformed PATH entry: skip it.
            }
        }
        return Quote(process);
    }

    public static string Format(IEnumerable<string> arguments) => Program() + " " + string.Join(' ', arguments.Select(Quote));

    /// <summary>Single-quotes an argument when the shell would otherwise split or expand it.</summary>
    public static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c))
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
