namespace Trainwright.Data;

/// <summary>
/// The training and validation loaders of one problem, plus the number of classes <see cref="C"/>
/// so a model's head can be sized from the data (the lesson's DataBunch).
/// </summary>
public sealed class DataBunch
{
    /// <summary>Groups two loaders with the class count.</summary>
    public DataBunch(IDataLoader train, IDataLoader valid, int c)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(valid);
        if (c < 1) throw new ArgumentOutOfRangeException(nameof(c), c, "The number of classes must be at least 1.");
        Train = train;
        Valid = valid;
        C = c;
    }

    /// <summary>Loader for training batches (usually shuffled).</summary>
    public IDataLoader Train { get; }

    /// <summary>Loader for validation batches (never shuffled).</summary>
    public IDataLoader Valid { get; }

    /// <summary>Number of classes (outputs of the model's last layer).</summary>
    public int C { get; }
}
