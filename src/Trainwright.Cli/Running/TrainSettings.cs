using System.Globalization;

namespace Trainwright.Cli.Running;

/// <summary>Everything a <c>train</c> run was asked to do, resolved (defaults filled in, paths made absolute).</summary>
internal sealed record TrainSettings
{
    /// <summary>The --data folder, or null for the bundled MNIST.</summary>
    public string? Data { get; init; }
    public string Model { get; init; } = ModelSpec.Mlp;
    public int Hidden { get; init; }
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public double Lr { get; init; }
    public string Optimizer { get; init; } = "sgd";
    public string Schedule { get; init; } = "one-cycle";
    public double Wd { get; init; }
    public int Seed { get; init; }
    public int Workers { get; init; }
    public int? Threads { get; init; }
    public int? MaxItems { get; init; }
    public string Out { get; init; } = "";
    public string? Resume { get; init; }
    public bool NoProgress { get; init; }

    /// <summary>Metadata keys (prefix <c>train.</c>) that let <c>--resume</c> default every option to the original run's.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        foreach (var (name, value) in Named())
            if (value is not null) yield return new("train." + name, value);
    }

    /// <summary>The command line (after the program) that runs exactly these settings.</summary>
    public IReadOnlyList<string> ToArguments()
    {
        var args = new List<string> { "train" };
        foreach (var (name, value) in Named())
        {
            if (value is null) continue;
            if (name == "no-progress") { if (value == "true") args.Add("--no-progress"); continue; }
            args.Add("--" + name);
            args.Add(value);
        }
        return args;
    }

    private IEnumerable<(string Name, string? Value)> Named() =>
    [
        ("data", Data),
        ("model", Model),
        ("hidden", I(Hidden)),
        ("epochs", I(Epochs)),
        ("bs", I(BatchSize)),
        ("lr", D(Lr)),
        ("opt", Optimizer),
        ("schedule", Schedule),
        ("wd", D(Wd)),
        ("seed", I(Seed)),
        ("workers", I(Workers)),
        ("threads", Threads is { } t ? I(t) : null),
        ("max-items", MaxItems is { } m ? I(m) : null),
        ("out", Out),
        ("resume", Resume),
        ("no-progress", NoProgress ? "true" : null),
    ];

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
