using Trainwright.Cli.Settings;

namespace Trainwright.Cli.DataSources;

/// <summary>What a command asks of a data source.</summary>
/// <param name="Path">The --data path, absolute; null for the default data set (the bundled MNIST).</param>
/// <param name="MaxItems">Keep only the first this-many training, validation and test items (--max-items).</param>
/// <param name="MaxClasses">The most distinct classes accepted (--max-classes); more is an error naming the option.</param>
/// <param name="ClassNames">
/// A fixed class vocabulary (evaluate and --resume pass the one the checkpoint was trained with): class i is
/// <c>ClassNames[i]</c>, and data with other classes is an error. Null builds the vocabulary from the data.
/// </param>
internal sealed record DataRequest(string? Path, int? MaxItems, int MaxClasses, IReadOnlyList<string>? ClassNames = null)
{
    /// <summary>
    /// The run's settings: the data options each source reads (image size, resize, split, channels, skipping for image
    /// folders; target, column roles, task, split for tables) and the seed of a random validation split.
    /// </summary>
    public RunSettings Settings { get; init; } = new();

    /// <summary>
    /// The metadata of the checkpoint this request serves (evaluate, --resume), or null for a new run: sources restore
    /// what they fitted on the training data from it (an image folder's normalisation, a table's preprocessing), so a
    /// checkpoint sees exactly the inputs it was trained on.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Checkpoint { get; init; }

    /// <summary>Where a slow first load (decoding an image folder) reports progress; null reports nothing.</summary>
    public TextWriter? Progress { get; init; }

    /// <summary>Whether <see cref="Progress"/> is a terminal that can redraw one line (else it gets plain lines).</summary>
    public bool ProgressIsTerminal { get; init; }

    /// <summary>The request for <paramref name="settings"/>' data, with <paramref name="classNames"/> fixed when given.</summary>
    public static DataRequest For(RunSettings settings, IReadOnlyList<string>? classNames = null) =>
        new(settings.Data, settings.MaxItems, settings.MaxClasses, classNames) { Settings = settings };
}
