using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Settings;
using Trainwright.Data.Images;
using Trainwright.Data.Tables;

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
        Description = "What to train on: a folder of MNIST-style IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…, raw or .gz); "
            + "an image folder (ROOT/<class>/…, ROOT/train|valid|test/<class>/…, or ROOT/labels.csv with path,label; PNG, JPEG, BMP, GIF, WebP); "
            + "or a table (.csv, .tsv, .parquet; needs --target) [default: the bundled MNIST, data/mnist]",
        HelpName = "DIR|FILE",
    });

    public static Option<string?> Model()
    {
        var option = new Option<string?>("--model")
        {
            Description = "Network: mlp (one hidden layer), cnn (two conv-BN-pool-ReLU blocks and a dense layer, trained with Adam β 0.7/0.9, lr 0.01, "
                + "batch 128 and label smoothing 0.1 unless --opt/--lr/--bs say otherwise; images of 10 px or more), lesson-cnn (the lesson's "
                + "conv-BN-ReLU blocks with global pooling; any size), resnet18 or resnet34 "
                + "(fastai's xresnet; see --net-width), tabular (embeddings + MLP, for tables) [default: mlp for IDX data, cnn for image folders, tabular for tables]",
            HelpName = string.Join("|", Choices.Names<ModelKind>()),
        };
        option.AcceptOnlyFromAmong(Choices.Names<ModelKind>());
        return option;
    }

    public static Option<double> NetWidth() => Number<double>("--net-width",
        $"Channel multiplier of resnet18/resnet34 (1 is fastai's xresnet; smaller widths train faster on a CPU), {Limits.MinNetWidth} to {Limits.MaxNetWidth}", 1,
        v => !(v >= Limits.MinNetWidth && v <= Limits.MaxNetWidth) ? $"must be between {Limits.MinNetWidth} and {Limits.MaxNetWidth}" : null);

    public static Option<int?> Size() => OptionalNumber<int>("--size",
        $"Image folders: side of the square images are trained at, {Limits.MinImageSize} to {Limits.MaxImageSize} [default: the median image side, at most 224; 28 for images of 32 px or less]",
        v => Check(v, Limits.MinImageSize, Limits.MaxImageSize));

    public static Option<string> Resize() => Choice<ResizeMethod>("--resize",
        "Image folders: how images become square: squish (stretch), crop (centre crop) or pad (black borders)", ResizeMethod.Crop);

    public static Option<double> ValidPct() => Number<double>("--valid-pct",
        $"Share of items held out for validation when the data has no validation split (image class folders, tables), {Limits.MinValidPct} to {Limits.MaxValidPct}", 0.2,
        v => !(v >= Limits.MinValidPct && v <= Limits.MaxValidPct) ? $"must be between {Limits.MinValidPct} and {Limits.MaxValidPct}" : null);

    public static Option<string> Augment() => Choice<AugmentKind>("--aug",
        "Image folders: batch augmentation of training images: none, light (flip, ±5° rotation, 5% zoom, ±10% lighting) or default (fastai's: flip, ±10°, 10% zoom, warp, ±20% lighting)",
        AugmentKind.Default);

    public static Option<int?> Channels() => OptionalNumber<int>("--channels",
        "Image folders: 1 (grey) or 3 (colour) [default: 1 when every image is grey, else 3]", v => v is 1 or 3 ? null : "must be 1 or 3");

    public static Option<bool> SkipBadImages() => new("--skip-bad-images")
    {
        Description = "Image folders: train without files that do not decode (counted in the header, listed in skipped.txt) instead of stopping",
    };

    public static Option<string?> Target() => Text("--target", "COL", "Tables: the column to predict (required for tables)");

    public static Option<string?> Categorical() => Text("--cat", "COLS", "Tables: columns to treat as categorical, comma-separated [default: inferred: text, and whole numbers with few values]");

    public static Option<string?> Continuous() => Text("--cont", "COLS", "Tables: columns to treat as continuous, comma-separated [default: inferred: other numbers]");

    public static Option<string?> Ignore() => Text("--ignore", "COLS", "Tables: columns not to use, comma-separated");

    public static Option<string?> Task()
    {
        var option = new Option<string?>("--task")
        {
            Description = "Tables: classify or regress [default: classify when the target is text or has few whole-number values, else regress]",
            HelpName = string.Join("|", Choices.Names<TabularTask>()),
        };
        option.AcceptOnlyFromAmong(Choices.Names<TabularTask>());
        return option;
    }

    public static Option<string?> ValidCol() => Text("--valid-col", "COL", "Tables: a column marking validation rows (true/1/valid vs false/0/train) instead of a random split");

    public static Option<int?> ValidLast() => OptionalNumber<int>("--valid-last",
        $"Tables: the last N rows (file order) validate, for data in time order, 1 to {Limits.MaxValidLast}", v => Check(v, 1, Limits.MaxValidLast));

    public static Option<bool> LogTarget() => new("--log-target") { Description = "Tables: regress log(1 + target); predictions are mapped back" };

    public static Option<string?> Layers() => Text("--layers", "N,N",
        $"Tables: hidden layer sizes of the tabular model, comma-separated, at most {Limits.MaxLayers} layers of 1 to {Limits.MaxHidden} [default: 200,100]");

    public static Option<bool> Coerce() => new("--coerce") { Description = "Tables: read non-numeric values in continuous columns as missing (and count them) instead of stopping" };

    private static Option<string?> Text(string name, string helpName, string description) => new(name) { Description = description, HelpName = helpName };

    public static Option<int> Hidden() => Range("--hidden", "Hidden units of the MLP", 50, 1, Limits.MaxHidden);

    public static Option<int?> BatchSize() => OptionalNumber<int>("--bs",
        $"Training batch size (validation uses twice this), 1 to {Limits.MaxBatchSize} [default: {TrainingRecipe.Lesson.BatchSize}; {TrainingRecipe.Fast.BatchSize} with --model cnn]", v => Check(v, 1, Limits.MaxBatchSize));

    public static Option<double?> Lr() => OptionalNumber<double>("--lr",
        $"Peak learning rate, at most {Limits.MaxLr.ToString("0e0", CultureInfo.InvariantCulture)} [default: {DefaultSgdLr} with --opt sgd, {DefaultAdamLr} with --opt adam, {Inv(TrainingRecipe.Fast.Lr)} for --model cnn with adam]",
        v => !(v > 0 && double.IsFinite(v)) ? "must be a positive, finite number" : v > Limits.MaxLr ? $"must be at most {Limits.MaxLr.ToString("0e0", CultureInfo.InvariantCulture)}" : null);

    public static Option<string?> Optimizer()
    {
        var option = new Option<string?>("--opt")
        {
            Description = "Optimizer: sgd (momentum 0.9) or adam [default: sgd; adam (β 0.7/0.9) with --model cnn]",
            HelpName = string.Join("|", Choices.Names<OptimizerKind>().Order(StringComparer.Ordinal)),
        };
        option.AcceptOnlyFromAmong(Choices.Names<OptimizerKind>());
        return option;
    }

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

    private static string Inv(double v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Name<T>(T value) where T : struct, Enum => Choices.Name(value);

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
