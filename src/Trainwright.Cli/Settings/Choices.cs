using Trainwright.Data.Images;
using Trainwright.Data.Tables;

namespace Trainwright.Cli.Settings;

/// <summary>The network a run trains (<c>--model</c>).</summary>
internal enum ModelKind { Mlp, Cnn, LessonCnn, Resnet18, Resnet34, Tabular }

/// <summary>The optimizer (<c>--opt</c>).</summary>
internal enum OptimizerKind { Sgd, Adam }

/// <summary>The learning rate schedule (<c>--schedule</c>).</summary>
internal enum ScheduleKind { OneCycle, Cos, Const }

/// <summary>The batch augmentation preset of image-folder training (<c>--aug</c>).</summary>
internal enum AugmentKind { None, Light, Default }

/// <summary>
/// The one place where each option choice is spelled: the word on the command line, in checkpoints and in summary.json.
/// Choices the library defines (<see cref="ResizeMethod"/>, <see cref="TabularTask"/>) are spelled here too.
/// </summary>
internal static class Choices
{
    private static readonly (ModelKind Value, string Name)[] Models =
        [(ModelKind.Mlp, "mlp"), (ModelKind.Cnn, "cnn"), (ModelKind.LessonCnn, "lesson-cnn"), (ModelKind.Resnet18, "resnet18"), (ModelKind.Resnet34, "resnet34"), (ModelKind.Tabular, "tabular")];
    private static readonly (OptimizerKind Value, string Name)[] Optimizers = [(OptimizerKind.Sgd, "sgd"), (OptimizerKind.Adam, "adam")];
    private static readonly (ScheduleKind Value, string Name)[] Schedules =
        [(ScheduleKind.OneCycle, "one-cycle"), (ScheduleKind.Cos, "cos"), (ScheduleKind.Const, "const")];
    private static readonly (AugmentKind Value, string Name)[] Augments =
        [(AugmentKind.None, "none"), (AugmentKind.Light, "light"), (AugmentKind.Default, "default")];
    private static readonly (ResizeMethod Value, string Name)[] Resizes =
        [(ResizeMethod.Squish, "squish"), (ResizeMethod.Crop, "crop"), (ResizeMethod.Pad, "pad")];
    private static readonly (TabularTask Value, string Name)[] Tasks = [(TabularTask.Classify, "classify"), (TabularTask.Regress, "regress")];

    public static string Name(ModelKind v) => Models.First(c => c.Value == v).Name;
    public static string Name(OptimizerKind v) => Optimizers.First(c => c.Value == v).Name;
    public static string Name(ScheduleKind v) => Schedules.First(c => c.Value == v).Name;
    public static string Name(AugmentKind v) => Augments.First(c => c.Value == v).Name;
    public static string Name(ResizeMethod v) => Resizes.First(c => c.Value == v).Name;
    public static string Name(TabularTask v) => Tasks.First(c => c.Value == v).Name;

    /// <summary>The word for any choice value.</summary>
    public static string Name<T>(T value) where T : struct, Enum => Table<T>().First(c => EqualityComparer<T>.Default.Equals(c.Value, value)).Name;

    /// <summary>Every word the option accepts, in help order.</summary>
    public static string[] Names<T>() where T : struct, Enum => [.. Table<T>().Select(c => c.Name)];

    /// <summary>
    /// The choice <paramref name="text"/> names. An option typed with no word after it (e.g. <c>--opt --epochs 2</c>)
    /// reads as null, so the error says which option needs which words.
    /// </summary>
    /// <exception cref="Host.CliException"><paramref name="text"/> names no choice.</exception>
    public static T Require<T>(string option, string? text) where T : struct, Enum =>
        TryParse<T>(text) ?? throw new Host.CliException($"{option} needs one of: {string.Join(", ", Names<T>())}.");

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
        : typeof(T) == typeof(AugmentKind) ? Augments.Select(c => ((T)(object)c.Value, c.Name))
        : typeof(T) == typeof(ResizeMethod) ? Resizes.Select(c => ((T)(object)c.Value, c.Name))
        : typeof(T) == typeof(TabularTask) ? Tasks.Select(c => ((T)(object)c.Value, c.Name))
        : throw new ArgumentException($"{typeof(T).Name} is not an option choice.");
}
