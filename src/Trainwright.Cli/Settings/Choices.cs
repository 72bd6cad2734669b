namespace Trainwright.Cli.Settings;

/// <summary>The network a run trains (<c>--model</c>).</summary>
internal enum ModelKind { Mlp, Cnn }

/// <summary>The optimizer (<c>--opt</c>).</summary>
internal enum OptimizerKind { Sgd, Adam }

/// <summary>The learning rate schedule (<c>--schedule</c>).</summary>
internal enum ScheduleKind { OneCycle, Cos, Const }

/// <summary>
/// The one place where each option choice is spelled: the word on the command line, in checkpoints and in summary.json.
/// </summary>
internal static class Choices
{
    private static readonly (ModelKind Value, string Name)[] Models = [(ModelKind.Mlp, "mlp"), (ModelKind.Cnn, "cnn")];
    private static readonly (OptimizerKind Value, string Name)[] Optimizers = [(OptimizerKind.Sgd, "sgd"), (OptimizerKind.Adam, "adam")];
    private static readonly (ScheduleKind Value, string Name)[] Schedules =
        [(ScheduleKind.OneCycle, "one-cycle"), (ScheduleKind.Cos, "cos"), (ScheduleKind.Const, "const")];

    public static string Name(ModelKind v) => Models.First(c => c.Value == v).Name;
    public static string Name(OptimizerKind v) => Optimizers.First(c => c.Value == v).Name;
    public static string Name(ScheduleKind v) => Schedules.First(c => c.Value == v).Name;

    /// <summary>Every word the option accepts, in help order.</summary>
    public static string[] Names<T>() where T : struct, Enum => [.. Table<T>().Select(c => c.Name)];

    /// <summary>The choice <paramref name="text"/> names, or null when it names none.</summary>
    public static T? TryParse<T>(string? text) where T : struct, Enum
    {
        foreach (var (value, name) in Table<T>())
            if (string.Equals(name, text, StringComparison.Ordinal)) return value;
        return null;
    }

    private static IEnumerable<(T Value, string Name)> Table<T>() where T : struct, Enum =>
        typeof(T) == typeof(ModelKind) ? Models.Select(c => ((T)(object)c.Value, c.Name))
        : typeof(T) == typeof(OptimizerKind) ? Optimizers.Select(c => ((T)(object)c.Value, c.Name))
        : typeof(T) == typeof(ScheduleKind) ? Schedules.Select(c => ((T)(object)c.Value, c.Name))
        : throw new ArgumentException($"{typeof(T).Name} is not an option choice.");
}
