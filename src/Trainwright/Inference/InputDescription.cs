using System.Text.Json.Serialization;
using Trainwright.Data.Images;
using Trainwright.Data.Tables;

namespace Trainwright.Inference;

/// <summary>
/// What the model takes per item and how raw input becomes it: the kind, the item shape without the batch axis,
/// the normalisation, and for images or tables the very preprocessing record training used.
/// </summary>
/// <param name="Kind">Tensor, image or table.</param>
/// <param name="Shape">One item's shape as the model takes it, e.g. [784] for the MLP or [1, 28, 28] for the CNN.</param>
/// <param name="Normalize">Statistics applied to raw input, or null when the input is used as given. For images it
/// repeats <see cref="ImagePreprocessing.Mean"/> and <see cref="ImagePreprocessing.Std"/> (ONNX export and consumers
/// without Trainwright read it from here).</param>
/// <param name="Image">For <see cref="InputKind.Image"/>: the images library's preprocessing (size, resize method,
/// channels, mean, std, pixel limit); prediction runs its <see cref="ImagePreprocessing.ToModelInput(string)"/>.</param>
/// <param name="Table">For <see cref="InputKind.Table"/>: the fitted table preprocessing; prediction runs its
/// <see cref="TabularPreprocessor.Transform"/>. Stored in the file as that record's own JSON.</param>
public sealed record InputDescription(InputKind Kind, IReadOnlyList<int> Shape, Normalization? Normalize = null,
    ImagePreprocessing? Image = null,
    [property: JsonConverter(typeof(TabularPreprocessorJsonConverter))] TabularPreprocessor? Table = null)
{
    /// <summary>Items of a fixed shape, optionally normalised.</summary>
    public static InputDescription ForTensor(IReadOnlyList<int> shape, Normalization? normalize = null) =>
        Checked(new(InputKind.Tensor, [.. shape], normalize));

    /// <summary>
    /// Image files turned into model inputs by <paramref name="preprocessing"/> (the images library's
    /// <see cref="ImageFolderData.Preprocessing"/>): items of shape [channels, size, size].
    /// </summary>
    public static InputDescription ForImages(ImagePreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        preprocessing.Validate();
        return Checked(new(InputKind.Image, [preprocessing.Channels, preprocessing.Size, preprocessing.Size],
            new Normalization([.. preprocessing.Mean], [.. preprocessing.Std]), preprocessing));
    }

    /// <summary>
    /// Square images of <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/> (height and
    /// width must be equal), normalised by <paramref name="normalize"/> (one value for all channels, or one per
    /// channel; null for none). Shorthand for <see cref="ForImages(ImagePreprocessing)"/>.
    /// </summary>
    public static InputDescription ForImages(int channels, int height, int width, Normalization? normalize = null, ResizeMethod resize = ResizeMethod.Squish)
    {
        if (height != width)
            throw new ArgumentException($"Images are resized to a square; got {height}x{width}.", nameof(width));
        float[] Stat(IReadOnlyList<float>? values, float none) =>
            values is null ? [.. Enumerable.Repeat(none, channels)]
            : values.Count == 1 ? [.. Enumerable.Repeat(values[0], channels)]
            : [.. values];
        return ForImages(new ImagePreprocessing(height, resize, channels, Stat(normalize?.Mean, 0f), Stat(normalize?.Std, 1f)));
    }

    /// <summary>
    /// Table rows turned into model inputs by <paramref name="preprocessor"/> (the fitted
    /// <see cref="TabularData.Preprocessor"/>): items of shape [codes + continuous values].
    /// </summary>
    public static InputDescription ForTable(TabularPreprocessor preprocessor)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        return Checked(new(InputKind.Table, [preprocessor.InputWidth], null, null, preprocessor));
    }

    /// <summary>Number of values in one item.</summary>
    public long ItemSize => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as text, e.g. <c>[1, 28, 28]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";

    /// <summary>Throws <see cref="ArgumentException"/> when the description is inconsistent.</summary>
    public void Validate()
    {
        if (Shape is null || Shape.Count == 0 || Shape.Any(d => d < 1))
            throw new ArgumentException($"An input shape needs at least one axis and positive sizes (got {(Shape is null ? "none" : ShapeText)}).");
        Normalize?.Check(Shape);
        switch (Kind)
        {
            case InputKind.Image:
                if (Image is null) throw new ArgumentException("An image input needs its preprocessing (Image: size, resize, channels, mean, std).");
                Image.Validate();
                if (Shape.Count != 3 || Shape[0] != Image.Channels || Shape[1] != Image.Size || Shape[2] != Image.Size)
                    throw new ArgumentException($"An image input's shape must be [channels, size, size] = [{Image.Channels}, {Image.Size}, {Image.Size}], not {ShapeText}.");
                if (Normalize is null || !Normalize.Mean.SequenceEqual(Image.Mean) || !Normalize.Std.SequenceEqual(Image.Std))
                    throw new ArgumentException("An image input's Normalize must repeat its preprocessing's Mean and Std.");
                break;
            case InputKind.Table:
                if (Table is null) throw new ArgumentException("A table input needs its fitted preprocessing (Table).");
                if (Shape.Count != 1 || Shape[0] != Table.InputWidth)
                    throw new ArgumentException($"A table input's shape must be [{Table.InputWidth}] (codes and continuous values), not {ShapeText}.");
                if (Normalize is not null) throw new ArgumentException("A table input is normalised by its preprocessing; Normalize must be null.");
                break;
        }
    }

    private static InputDescription Checked(InputDescription d)
    {
        d.Validate();
        return d;
    }
}
