using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using Trainwright.Cli.Host;
using Trainwright.Cli.Settings;

namespace Trainwright.Cli.Commands;

/// <summary>
/// Factories for the options several commands share. Each call makes a new instance, so every command owns its options
/// (and its help lists them with their defaults). Numbers are parsed with the invariant culture and no thousands
/// separators (<c>1,5</c> is an error, not 15), and each has a documented range (<see cref="Limits"/>).
/// </summary>
internal static class CliOptions
{
    public const double DefaultSgdLr = 0.1;
    public const double DefaultAdamLr = 3e-3;

    public static Option<string?> Data() => NotBlank(new("--data")
    {
        Description = "Folder with MNIST-style IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
            + "t10k-labels-idx1-ubyte, raw or .gz); any image size and class count [default: the bundled MNIST, data/mnist]",
        HelpName = "DIR",
    });

    public static Option<string> Model() => Choice<ModelKind>("--model", "Network: mlp (one hidden layer) or cnn (conv-BN-ReLU blocks, global pooling)", ModelKind.Mlp);

    public static Option<int> Hidden() => Range("--hidden", "Hidden units of the MLP", 50, 1, Limits.MaxHidden);

    public static Option<int> BatchSize() => Range("--bs", "Training batch size (validation uses twice this)", 64, 1, Limits.MaxBatchSize);

    public static Option<double?> Lr() => OptionalNumber<double>("--lr",
        $"Peak learning rate, at most {Limits.MaxLr.ToString("0e0", CultureInfo.InvariantCulture)} [default: {DefaultSgdLr} with --opt sgd, {DefaultAdamLr} with --opt adam]",
        v => !(v > 0 && double.IsFinite(v)) ? "must be a positive, finite number" : v > Limits.MaxLr ? $"must be at most {Limits.MaxLr.ToString("0e0", CultureInfo.InvariantCulture)}" : null);

    public static Option<string> Optimizer() => Choice<OptimizerKind>("--opt", "Optimizer: sgd (momentum 0.9) or adam", OptimizerKind.Sgd);

    public static Option<double> Wd() => Number<double>("--wd", $"Weight decay (L2), 0 to {Limits.MaxWd}", 0,
        v => !(v >= 0 && double.IsFinite(v)) ? "must be a finite number of 0 or more" : v > Limits.MaxWd ? $"must be at most {Limits.MaxWd}" : null);

    public static Option<int> Seed() => Number<int>("--seed", "Seed for the model's initial weights and the shuffling (fixed, so runs are reproducible)", 42, _ => null);

    public static Option<int> Workers() => Range("--workers", "Background threads preparing batches (0: on the training thread)", 0, 0, Limits.MaxWorkers);

    public static Option<int?> Threads() => OptionalNumber<int>("--threads",
        $"Threads libtorch uses for tensor operations, 1 to {Limits.MaxThreads} [default: {ThreadDefaults.DescribeDefault()}]", v => Check(v, 1, Limits.MaxThreads));

    public static Option<int?> MaxItems() => OptionalNumber<int>("--max-items",
        "Use only the first N training, validation and test items (for smoke runs and tests) [default: all]", v => v >= 1 ? null : "must be at least 1");

    public static Option<int> MaxClasses() => Range("--max-classes",
        "Most distinct labels (classes) accepted; more means corrupt labels, or raise it", Limits.DefaultMaxClasses, 2, Limits.MaxClasses);

    public static Option<int> Epochs() => Range("--epochs", "Epochs to train", 3, 1, Limits.MaxEpochs);

    public static Option<string> Schedule() => Choice<ScheduleKind>("--schedule",
        "Learning rate schedule: one-cycle (warm up then anneal, momentum inverse), cos (cosine from --lr to 0) or const", ScheduleKind.OneCycle);

    public static Option<string?> Out(string defaultText) => NotBlank(new("--out")
    {
        Description = $"Output folder [default: {defaultText}]",
        HelpName = "DIR",
    });

    /// <summary>A path option given as an empty or blank string is a parse error naming the option (not a failure deep inside Path).</summary>
    public static Option<string?> NotBlank(Option<string?> option)
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && string.IsNullOrWhiteSpace(r.Tokens[^1].Value))
                r.AddError($"{option.Name} is empty; give a path, or leave the option out.");
        });
        return option;
    }

    /// <summary>An option whose value is one of an enum's words (<see cref="Choices"/>); read it back with <see cref="Choices.TryParse{T}"/>.</summary>
    public static Option<string> Choice<T>(string name, string description, T defaultValue) where T : struct, Enum
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => Name(defaultValue) };
        option.AcceptOnlyFromAmong(Choices.Names<T>());
        return option;
    }

    private static string Name<T>(T value) where T : struct, Enum => value switch
    {
        ModelKind m => Choices.Name(m),
        OptimizerKind o => Choices.Name(o),
        ScheduleKind s => Choices.Name(s),
        _ => value.ToString(),
    };

    public static Option<int> Range(string name, string description, int defaultValue, int min, int max) =>
        Number(name, description + string.Create(CultureInfo.InvariantCulture, $", {min} to {max}"), defaultValue, v => Check(v, min, max));

    public static Option<int> AtLeast(string name, string description, int defaultValue, int min) =>
        Number(name, description, defaultValue, v => v >= min ? null : $"must be at least {min}");

    private static string? Check(int v, int min, int max) => v < min ? $"must be at least {min}" : v > max ? $"must be at most {max}" : null;

    /// <summary>
    /// A numeric option with a default, parsed with the invariant culture; errors name the option and the value.
    /// <c>check</c> returns what is wrong with a parsed value (e.g. "must be at least 1"), or null when it is fine.
    /// </summary>
    public static Option<T> Number<T>(string name, string description, T defaultValue, Func<T, string?> check)
        where T : struct, INumber<T> => new(name)
    {
        Description = description,
        HelpName = typeof(T) == typeof(int) ? "N" : "X",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Parse(r, name, check) ?? defaultValue,
    };

    /// <summary>A numeric option without a default (null when not given).</summary>
    public static Option<T?> OptionalNumber<T>(string name, string description, Func<T, string?> check)
        where T : struct, INumber<T> => new(name)
    {
        Description = description,
        HelpName = typeof(T) == typeof(int) ? "N" : "X",
        CustomParser = r => Parse(r, name, check),
    };

    private static T? Parse<T>(ArgumentResult result, string name, Func<T, string?> check) where T : struct, INumber<T>
    {
        if (result.Tokens.Count == 0) return null;
        var text = result.Tokens[^1].Value;
        bool integer = typeof(T) == typeof(int) || typeof(T) == typeof(long);
        // No thousands separators: "1,5" is a typo for 1.5 in many locales, never fifteen.
        var style = integer ? NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite : NumberStyles.Float;
        if (!T.TryParse(text, style, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{name} expects {(integer ? "a whole number" : "a number")}{(text.Contains(',', StringComparison.Ordinal) ? " with '.' as the decimal point" : "")}; got '{text}'.");
            return null;
        }
        if (check(value) is { } problem)
        {
            result.AddError($"{name} {problem}; got {text}.");
            return null;
        }
        return value;
    }

    /// <summary>True when the user typed the option (not filled in from its default).</summary>
    public static bool Given(this ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };
}
