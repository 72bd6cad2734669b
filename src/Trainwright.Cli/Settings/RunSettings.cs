using System.CommandLine;
using System.Globalization;
using Trainwright.Cli.Commands;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Data.Images;
using Trainwright.Data.Tables;

namespace Trainwright.Cli.Settings;

/// <summary>
/// Everything a <c>train</c>, <c>lr-find</c> or <c>evaluate</c> run was asked to do, resolved (defaults filled in, paths
/// made absolute). Built from the parsed command line (<see cref="From"/>), recorded in every checkpoint under the
/// <c>train.*</c> keys (<see cref="ToMetadata"/>), read back from one (<see cref="FromMetadata"/>), and turned into the command
/// line that repeats the run (<see cref="ToArguments"/>). This type is the only place that spells those keys.
/// </summary>
internal sealed record RunSettings
{
    /// <summary>The prefix of the checkpoint metadata keys this type owns.</summary>
    public const string KeyPrefix = "train.";

    /// <summary>The --data path, or null for the bundled MNIST.</summary>
    public string? Data { get; init; }
    /// <summary>The network; null until the data is known, then the data's default unless --model chose one.</summary>
    public ModelKind? Model { get; init; }
    public int Hidden { get; init; } = 50;
    public double NetWidth { get; init; } = 1;
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 64;
    public double Lr { get; init; } = CliOptions.DefaultSgdLr;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    public ScheduleKind Schedule { get; init; } = ScheduleKind.OneCycle;
    public double Wd { get; init; }
    public int Seed { get; init; } = 42;
    public int Workers { get; init; }
    public int? Threads { get; init; }
    public int? MaxItems { get; init; }
    public int MaxClasses { get; init; } = Limits.DefaultMaxClasses;
    public string Out { get; init; } = "";
    public string? Resume { get; init; }
    public bool NoProgress { get; init; }

    // Image folders.
    public int? Size { get; init; }
    public ResizeMethod Resize { get; init; } = ResizeMethod.Crop;
    public double ValidPct { get; init; } = 0.2;
    public AugmentKind Augment { get; init; } = AugmentKind.Default;
    public int? Channels { get; init; }
    public bool SkipBadImages { get; init; }

    // Tables.
    public string? Target { get; init; }
    public string? Categorical { get; init; }
    public string? Continuous { get; init; }
    public string? Ignore { get; init; }
    public TabularTask? Task { get; init; }
    public string? ValidCol { get; init; }
    public int? ValidLast { get; init; }
    public bool LogTarget { get; init; }
    public string? Layers { get; init; }
    public bool Coerce { get; init; }

    /// <summary>The default hidden layers of the tabular model (fastai's).</summary>
    public static IReadOnlyList<int> DefaultLayers { get; } = [200, 100];

    /// <summary>The tabular model's hidden layer sizes (<c>--layers</c>).</summary>
    /// <exception cref="CliException">The list is not comma-separated whole numbers in range.</exception>
    public IReadOnlyList<int> LayerSizes()
    {
        if (Layers is null) return DefaultLayers;
        var parts = Layers.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > Limits.MaxHidden)
                throw new CliException($"--layers '{Layers}' must be comma-separated whole numbers from 1 to {Limits.MaxHidden}, e.g. 200,100; '{part}' is not.");
            sizes.Add(n);
        }
        if (sizes.Count > Limits.MaxLayers) throw new CliException($"--layers '{Layers}' has {sizes.Count} layers; at most {Limits.MaxLayers}.");
        return sizes;
    }

    /// <summary>A comma-separated column list option as names (empty when not given).</summary>
    public static IReadOnlyList<string> ColumnList(string? text) =>
        text is null ? [] : [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>The default learning rate of an optimizer.</summary>
    public static double DefaultLr(OptimizerKind optimizer) => optimizer == OptimizerKind.Adam ? CliOptions.DefaultAdamLr : CliOptions.DefaultSgdLr;

    /// <summary>
    /// Reads the options of <paramref name="options"/> from <paramref name="result"/>; every option the user did not type
    /// takes its value from <paramref name="recorded"/> (the metadata of the checkpoint being resumed) when it records one.
    /// </summary>
    /// <exception cref="CliException">A path option is empty, or the recorded metadata holds an unreadable value.</exception>
    public static RunSettings From(ParseResult result, TrainingOptions options, IReadOnlyDictionary<string, string>? recorded, string defaultOut)
    {
        var saved = recorded is null ? null : FromMetadata(recorded);
        T Pick<T>(Option<T>? option, Func<RunSettings, T> savedValue, T fallback) =>
            option is null ? (saved is null ? fallback : savedValue(saved))
            : saved is not null && !result.Given(option) && recorded!.ContainsKey(KeyPrefix + option.Name.TrimStart('-')) ? savedValue(saved)
            : result.GetValue(option)!;

        // Typed, else recorded by the run being resumed, else the model's recipe (not the option's own default).
        T PickOrRecipe<T>(Option<T> option, Func<RunSettings, T> savedValue, T recipeValue) =>
            result.Given(option) || saved is not null && recorded!.ContainsKey(KeyPrefix + option.Name.TrimStart('-')) ? Pick(option, savedValue, recipeValue) : recipeValue;

        T Parsed<T>(Option<string> option, string? word) where T : struct, Enum => Choices.Require<T>(option.Name, word);
        T Choice<T>(Option<string> option, Func<RunSettings, T> savedValue, T fallback) where T : struct, Enum =>
            Parsed<T>(option, Pick(option, s => Choices.Name(savedValue(s)), Choices.Name(fallback)));
        T? OptionalChoice<T>(Option<string?> option, Func<RunSettings, T?> savedValue) where T : struct, Enum =>
            Choices.TryParse<T>(Pick(option, s => savedValue(s) is { } v ? Choices.Name(v) : null, null));
        var data = Pick(options.Data, s => s.Data, null);
        var dataPath = data is null || string.IsNullOrWhiteSpace(data) ? null : Path.GetFullPath(data);
        var model = OptionalChoice(options.Model, s => s.Model) ?? DataSources.Registry.DefaultModelFor(dataPath);
        var recipe = TrainingRecipe.For(model);
        var optimizer = Choices.Require<OptimizerKind>(options.Optimizer.Name, PickOrRecipe(options.Optimizer, s => Choices.Name(s.Optimizer), Choices.Name(recipe.Optimizer)));
        var resume = options.Resume is null ? null : result.GetValue(options.Resume);
        var output = options.Out is null ? null : result.GetValue(options.Out);
        foreach (var (name, value) in new[] { ("--data", data), ("--resume", resume), ("--out", output) })
            if (value is not null && string.IsNullOrWhiteSpace(value))
                throw new CliException($"{name} is empty; give a path, or leave the option out.");
        var resumePath = resume is null ? null : Path.GetFullPath(resume);
        return new RunSettings
        {
            Data = dataPath,
            Model = model,
            Hidden = Pick(options.Hidden, s => s.Hidden, 50),
            NetWidth = Pick(options.NetWidth, s => s.NetWidth, 1),
            Size = Pick(options.Size, s => s.Size, null),
            Resize = Choice(options.Resize, s => s.Resize, ResizeMethod.Crop),
            ValidPct = Pick(options.ValidPct, s => s.ValidPct, 0.2),
            Augment = Choice(options.Augment, s => s.Augment, AugmentKind.Default),
            Channels = Pick(options.Channels, s => s.Channels, null),
            SkipBadImages = Pick(options.SkipBadImages, s => s.SkipBadImages, false),
            Target = Pick(options.Target, s => s.Target, null),
            Categorical = Pick(options.Categorical, s => s.Categorical, null),
            Continuous = Pick(options.Continuous, s => s.Continuous, null),
            Ignore = Pick(options.Ignore, s => s.Ignore, null),
            Task = OptionalChoice(options.Task, s => s.Task),
            ValidCol = Pick(options.ValidCol, s => s.ValidCol, null),
            ValidLast = Pick(options.ValidLast, s => s.ValidLast, null),
            LogTarget = Pick(options.LogTarget, s => s.LogTarget, false),
            Layers = Pick(options.Layers, s => s.Layers, null),
            Coerce = Pick(options.Coerce, s => s.Coerce, false),
            Epochs = Pick(options.Epochs, s => s.Epochs, 3),
            BatchSize = PickOrRecipe(options.BatchSize, s => (int?)s.BatchSize, recipe.BatchSize) ?? recipe.BatchSize,
            Lr = Pick(options.Lr, s => (double?)s.Lr, null) ?? recipe.DefaultLr(optimizer),
            Optimizer = optimizer,
            Schedule = options.Schedule is null ? ScheduleKind.OneCycle
                : Parsed<ScheduleKind>(options.Schedule, Pick(options.Schedule, s => Choices.Name(s.Schedule), Choices.Name(ScheduleKind.OneCycle))),
            Wd = Pick(options.Wd, s => s.Wd, 0),
            Seed = Pick(options.Seed, s => s.Seed, 42),
            Workers = Pick(options.Workers, s => s.Workers, 0),
            Threads = Pick(options.Threads, s => s.Threads, null),
            MaxItems = Pick(options.MaxItems, s => s.MaxItems, null),
            MaxClasses = Pick(options.MaxClasses, s => s.MaxClasses, Limits.DefaultMaxClasses),
            NoProgress = options.NoProgress is not null && result.GetValue(options.NoProgress),
            Resume = resumePath,
            Out = Path.GetFullPath(output ?? (resumePath is not null ? Path.GetDirectoryName(resumePath)! : defaultOut)),
        };
    }

    /// <summary>The settings a checkpoint's <c>train.*</c> keys record (defaults for keys it lacks).</summary>
    /// <exception cref="CliException">A recorded value is not valid (the checkpoint was edited or written by another tool).</exception>
    public static RunSettings FromMetadata(IReadOnlyDictionary<string, string> meta)
    {
        string? Get(string name) => meta.TryGetValue(KeyPrefix + name, out var v) ? v : null;
        T Choice<T>(string name, T fallback) where T : struct, Enum =>
            Get(name) is not { } text ? fallback : Choices.TryParse<T>(text) ?? throw Invalid(name, text);
        int Int(string name, int fallback, int min, int max) =>
            Get(name) is not { } text ? fallback
            : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v : throw Invalid(name, text);
        int? OptionalInt(string name, int min, int max) => Get(name) is null ? null : Int(name, 0, min, max);
        double Dbl(string name, double fallback, double min, double max) =>
            Get(name) is not { } text ? fallback
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v : throw Invalid(name, text);
        var optimizer = Choice("opt", OptimizerKind.Sgd);
        return new RunSettings
        {
            Data = Get("data"),
            Model = Get("model") is { } model ? ModelSpec.RecordedKind(Choices.TryParse<ModelKind>(model) ?? throw Invalid("model", model), meta) : null,
            Hidden = Int("hidden", 50, 1, Limits.MaxHidden),
            NetWidth = Dbl("net-width", 1, Limits.MinNetWidth, Limits.MaxNetWidth),
            Size = OptionalInt("size", Limits.MinImageSize, Limits.MaxImageSize),
            Resize = Choice("resize", ResizeMethod.Crop),
            ValidPct = Dbl("valid-pct", 0.2, Limits.MinValidPct, Limits.MaxValidPct),
            Augment = Choice("aug", AugmentKind.Default),
            Channels = OptionalInt("channels", 1, 3),
            SkipBadImages = Get("skip-bad-images") == "true",
            Target = Get("target"),
            Categorical = Get("cat"),
            Continuous = Get("cont"),
            Ignore = Get("ignore"),
            Task = Get("task") is { } task ? Choices.TryParse<TabularTask>(task) ?? throw Invalid("task", task) : null,
            ValidCol = Get("valid-col"),
            ValidLast = OptionalInt("valid-last", 1, Limits.MaxValidLast),
            LogTarget = Get("log-target") == "true",
            Layers = Get("layers"),
            Coerce = Get("coerce") == "true",
            Epochs = Int("epochs", 3, 1, Limits.MaxEpochs),
            BatchSize = Int("bs", 64, 1, Limits.MaxBatchSize),
            Lr = Dbl("lr", DefaultLr(optimizer), double.Epsilon, Limits.MaxLr),
            Optimizer = optimizer,
            Schedule = Choice("schedule", ScheduleKind.OneCycle),
            Wd = Dbl("wd", 0, 0, Limits.MaxWd),
            Seed = Int("seed", 42, int.MinValue, int.MaxValue),
            Workers = Int("workers", 0, 0, Limits.MaxWorkers),
            Threads = OptionalInt("threads", 1, Limits.MaxThreads),
            MaxItems = OptionalInt("max-items", 1, int.MaxValue),
            MaxClasses = Int("max-classes", Limits.DefaultMaxClasses, 2, Limits.MaxClasses),
            Out = Get("out") ?? "",
            Resume = Get("resume"),
            NoProgress = Get("no-progress") == "true",
        };
    }

    private static CliException Invalid(string name, string text) =>
        new($"The checkpoint records an invalid {KeyPrefix}{name} '{text}'; it was not written by this version of trainwright train, or was edited.");

    /// <summary>Metadata keys (prefix <c>train.</c>) that let <c>--resume</c> default every option to the original run's.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        foreach (var (name, value) in Named())
            if (value is not null) yield return new(KeyPrefix + name, value);
    }

    /// <summary>The options by name (without <c>train.</c>), for summary.json.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToOptions()
    {
        foreach (var (name, value) in Named())
            if (value is not null) yield return new(name, value);
    }

    /// <summary>The command line (after the program) that runs exactly these settings.</summary>
    public IReadOnlyList<string> ToArguments()
    {
        var args = new List<string> { "train" };
        foreach (var (name, value) in Named())
        {
            if (value is null) continue;
            if (Flags.Contains(name)) { if (value == "true") args.Add("--" + name); continue; }
            args.Add("--" + name);
            args.Add(value);
        }
        return args;
    }

    private static readonly HashSet<string> Flags = ["no-progress", "skip-bad-images", "log-target", "coerce"];

    // Options that only matter for one kind of data are recorded only when they differ from their default, so an IDX
    // run's resume command and summary stay as short as before.
    private IEnumerable<(string Name, string? Value)> Named() =>
    [
        ("data", Data),
        ("model", Model is { } model ? Choices.Name(model) : null),
        ("hidden", I(Hidden)),
        ("net-width", NetWidth == 1 ? null : D(NetWidth)),
        ("size", Size is { } size ? I(size) : null),
        ("resize", Resize == ResizeMethod.Crop ? null : Choices.Name(Resize)),
        ("valid-pct", ValidPct == 0.2 ? null : D(ValidPct)),
        ("aug", Augment == AugmentKind.Default ? null : Choices.Name(Augment)),
        ("channels", Channels is { } channels ? I(channels) : null),
        ("skip-bad-images", SkipBadImages ? "true" : null),
        ("target", Target),
        ("cat", Categorical),
        ("cont", Continuous),
        ("ignore", Ignore),
        ("task", Task is { } task ? Choices.Name(task) : null),
        ("valid-col", ValidCol),
        ("valid-last", ValidLast is { } last ? I(last) : null),
        ("log-target", LogTarget ? "true" : null),
        ("layers", Layers),
        ("coerce", Coerce ? "true" : null),
        ("epochs", I(Epochs)),
        ("bs", I(BatchSize)),
        ("lr", D(Lr)),
        ("opt", Choices.Name(Optimizer)),
        ("schedule", Choices.Name(Schedule)),
        ("wd", D(Wd)),
        ("seed", I(Seed)),
        ("workers", I(Workers)),
        ("threads", Threads is { } t ? I(t) : null),
        ("max-items", MaxItems is { } m ? I(m) : null),
        ("max-classes", MaxClasses == Limits.DefaultMaxClasses ? null : I(MaxClasses)),
        ("out", Out.Length == 0 ? null : Out),
        ("resume", Resume),
        ("no-progress", NoProgress ? "true" : null),
    ];

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
