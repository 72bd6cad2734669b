using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Trainwright.Cli.Running;

namespace Trainwright.Cli.Commands;

/// <summary>
/// Factories for the options several commands share. Each call makes a new instance, so every command owns its options
/// (and its help lists them with their defaults).
/// </summary>
internal static class CliOptions
{
    public const double DefaultSgdLr = 0.1;
    public const double DefaultAdamLr = 3e-3;

    public static Option<string?> Data() => new("--data")
    {
        Description = "Folder with MNIST-style IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
            + "t10k-labels-idx1-ubyte, raw or .gz); any image size and class count [default: the bundled MNIST, data/mnist]",
        HelpName = "DIR",
    };

    public static Option<string> Model() => Choice("--model", "Network: mlp (one hidden layer) or cnn (conv-BN-ReLU blocks, global pooling)",
        ModelSpec.Mlp, ModelSpec.Kinds);

    public static Option<int> Hidden() => AtLeast("--hidden", "Hidden units of the MLP", 50, 1);

    public static Option<int> BatchSize() => AtLeast("--bs", "Training batch size (validation uses twice this)", 64, 1);

    public static Option<double?> Lr() => Positive("--lr",
        $"Peak learning rate [default: {DefaultSgdLr} with --opt sgd, {DefaultAdamLr} with --opt adam]");

    public static Option<string> Optimizer() => Choice("--opt", "Optimizer: sgd (momentum 0.9) or adam", "sgd", ["sgd", "adam"]);

    public static Option<double> Wd() => Number<double>("--wd", "Weight decay (L2)", 0,
        v => v >= 0 && double.IsFinite(v) ? null : "must be a finite number of 0 or more");

    public static Option<int> Seed() => Number<int>("--seed", "Seed for the model's initial weights and the shuffling (fixed, so runs are reproducible)", 42, _ => null);

    public static Option<int> Workers() => AtLeast("--workers", "Background threads preparing batches (0: on the training thread)", 0, 0);

    public static Option<int?> Threads() => OptionalNumber<int>("--threads",
        $"Threads libtorch uses for tensor operations [default: {ThreadDefaults.DescribeDefault()}]", v => v >= 1 ? null : "must be at least 1");

    public static Option<int?> MaxItems() => OptionalNumber<int>("--max-items",
        "Use only the first N training, validation and test items (for smoke runs and tests) [default: all]", v => v >= 1 ? null : "must be at least 1");

    public static Option<string?> Out(string defaultText) => new("--out")
    {
        Description = $"Output folder [default: {defaultText}]",
        HelpName = "DIR",
    };

    public static Option<string> Choice(string name, string description, string defaultValue, string[] choices)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(choices);
        return option;
    }

    public static Option<int> AtLeast(string name, string description, int defaultValue, int min) =>
        Number(name, description, defaultValue, v => v >= min ? null : $"must be at least {min}");

    public static Option<double?> Positive(string name, string description) =>
        OptionalNumber<double>(name, description, v => v > 0 && double.IsFinite(v) ? null : "must be a positive, finite number");

    /// <summary>
    /// A numeric option with a default, parsed with the invariant culture; errors name the option and the value.
    /// <c>check</c> returns what is wrong with a parsed value (e.g. "must be at least 1"), or null when it is fine.
    /// </summary>
    public static Option<T> Number<T>(string name, string description, T defaultValue, Func<T, string?> check)
        where T : struct, IParsable<T> => new(name)
    {
        Description = description,
        HelpName = typeof(T) == typeof(int) ? "N" : "X",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Parse(r, name, check) ?? defaultValue,
    };

    /// <summary>A numeric option without a default (null when not given).</summary>
    public static Option<T?> OptionalNumber<T>(string name, string description, Func<T, string?> check)
        where T : struct, IParsable<T> => new(name)
    {
        Description = description,
        HelpName = typeof(T) == typeof(int) ? "N" : "X",
        CustomParser = r => Parse(r, name, check),
    };

    private static T? Parse<T>(ArgumentResult result, string name, Func<T, string?> check) where T : struct, IParsable<T>
    {
        if (result.Tokens.Count == 0) return null;
        var text = result.Tokens[^1].Value;
        if (!T.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{name} expects {(typeof(T) == typeof(int) ? "a whole number" : "a number")}; got '{text}'.");
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
