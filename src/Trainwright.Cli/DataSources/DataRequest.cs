namespace Trainwright.Cli.DataSources;

/// <summary>What a command asks of a data source.</summary>
/// <param name="Path">The --data path, absolute; null for the default data set (the bundled MNIST).</param>
/// <param name="MaxItems">Keep only the first this-many training, validation and test items (--max-items).</param>
/// <param name="MaxClasses">The most distinct classes accepted (--max-classes); more is an error naming the option.</param>
/// <param name="ClassNames">
/// A fixed class vocabulary (evaluate passes the one its checkpoint was trained with): class i is <c>ClassNames[i]</c>,
/// and an item of another class is an error. Null builds the vocabulary from the data.
/// </param>
internal sealed record DataRequest(string? Path, int? MaxItems, int MaxClasses, IReadOnlyList<string>? ClassNames = null);
