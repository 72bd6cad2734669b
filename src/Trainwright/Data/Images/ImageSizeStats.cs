namespace Trainwright.Data.Images;

/// <summary>The smallest, median and largest image of a folder, ordered by pixel count.</summary>
/// <param name="Min">The image with the fewest pixels.</param>
/// <param name="Median">The middle image by pixel count.</param>
/// <param name="Max">The image with the most pixels.</param>
public sealed record ImageSizeStats(ImageSize Min, ImageSize Median, ImageSize Max)
{
    /// <summary>Statistics of <paramref name="sizes"/> (at least one).</summary>
    public static ImageSizeStats Of(IReadOnlyCollection<ImageSize> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Count == 0) throw new ArgumentException("Size statistics need at least one image.", nameof(sizes));
        var sorted = sizes.OrderBy(s => s.Pixels).ThenBy(s => s.Width).ToArray();
        return new(sorted[0], sorted[(sorted.Length - 1) / 2], sorted[^1]);
    }

    /// <inheritdoc />
    public override string ToString() => Min == Max ? Min.ToString() : $"{Min}–{Max} (median {Median})";
}
