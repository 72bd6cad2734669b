using System.Globalization;

namespace Trainwright.Examples;

/// <summary>The command-line options every example understands: <c>--out DIR</c> and, where it applies, <c>--epochs N</c>.</summary>
internal static class ExampleArgs
{
    /// <summary>
    /// The folder for the example's pictures: <c>--out DIR</c> when given, else <c>trainwright-examples/NAME</c> in the
    /// temp folder (so running an example never litters the repository). Created when missing.
    /// </summary>
    public static string OutputFolder(string[] args, string name)
    {
        var folder = Value(args, "--out") ?? Path.Combine(Path.GetTempPath(), "trainwright-examples", name);
        Directory.CreateDirectory(folder);
        return Path.GetFullPath(folder);
    }

    /// <summary>The integer after <paramref name="option"/>, or <paramref name="fallback"/> when it is absent.</summary>
    public static int Int(string[] args, string option, int fallback)
    {
        var text = Value(args, option);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 1)
            throw new ArgumentException($"{option} needs a positive whole number; got '{text}'.");
        return value;
    }

    private static string? Value(string[] args, string option)
    {
        int at = Array.IndexOf(args, option);
        if (at < 0) return null;
        if (at + 1 >= args.Length) throw new ArgumentException($"{option} needs a value after it.");
        return args[at + 1];
    }
}
