using System.CommandLine;

namespace Trainwright.Cli.Host;

/// <summary>
/// Prints System.CommandLine's parse errors the way every other error is printed: one line each, starting with
/// <c>error:</c>, an unknown word followed by the nearest option or command the user may have meant.
/// </summary>
internal static class ParseErrors
{
    public static int Print(ParseResult result, TextWriter stderr)
    {
        var names = result.CommandResult.Command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            .Concat(result.CommandResult.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)).Distinct().ToList();
        foreach (var error in result.Errors)
        {
            var line = OneLine(error.Message);
            var unknown = result.UnmatchedTokens.FirstOrDefault(t => line.Contains($"'{t}'", StringComparison.Ordinal));
            if (unknown is not null && Nearest(unknown, names) is { } meant) line += $" Did you mean '{meant}'?";
            stderr.WriteLine($"error: {line}");
        }
        return ExitCodes.BadInput;
    }

    /// <summary>The name closest to <paramref name="word"/> by edit distance, when it is close enough to be a typo.</summary>
    private static string? Nearest(string word, IReadOnlyList<string> names)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var name in names)
        {
            int d = Trainwright.Naming.EditDistance.Between(word, name);
            if (d < bestDistance) (best, bestDistance) = (name, d);
        }
        return best is not null && bestDistance <= Math.Max(2, Math.Min(word.Length, best.Length) / 3) ? best : null;
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
