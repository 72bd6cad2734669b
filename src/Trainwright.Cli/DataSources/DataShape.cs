namespace Trainwright.Cli.DataSources;

/// <summary>
/// What the model factory needs to know about a data set's items: the input layout and the outputs. Images are
/// <c>Channels × Height × Width</c>; a table describes its feature columns as <c>1 × 1 × features</c> with
/// <see cref="IsImage"/> false.
/// </summary>
/// <param name="Channels">Colour channels of an image (1 for grey), 1 for a table.</param>
/// <param name="Height">Image height, 1 for a table.</param>
/// <param name="Width">Image width, or the feature count of a table.</param>
/// <param name="ClassNames">The name of each class index, in index order (e.g. "0".."9" for MNIST, folder names for images); empty for regression.</param>
/// <param name="IsImage">Whether items are images a CNN can take.</param>
internal sealed record DataShape(int Channels, int Height, int Width, IReadOnlyList<string> ClassNames, bool IsImage = true)
{
    /// <summary>Number of classes (0 for regression).</summary>
    public int Classes => ClassNames.Count;

    /// <summary>True when the target is a number, not a class.</summary>
    public bool IsRegression => ClassNames.Count == 0;

    /// <summary>Model outputs: one per class, or 1 for regression.</summary>
    public int Outputs => IsRegression ? 1 : Classes;

    /// <summary>Inputs per item (channels × height × width).</summary>
    public long Features => (long)Channels * Height * Width;
}
