namespace Trainwright.Inference;

/// <summary>
/// What the model takes per item and how raw input becomes it: the kind, the item shape without the batch axis,
/// the normalisation applied after loading, and for images their channels, size and resize method.
/// </summary>
/// <param name="Kind">Tensor, image or table.</param>
/// <param name="Shape">One item's shape as the model takes it, e.g. [784] for the MLP or [1, 28, 28] for the CNN.</param>
/// <param name="Normalize">Statistics applied to raw input, or null when the input is used as given.</param>
/// <param name="Image">For <see cref="InputKind.Image"/>: channels, size and resize method.</param>
public sealed record InputDescription(InputKind Kind, IReadOnlyList<int> Shape, Normalization? Normalize = null, ImageSpec? Image = null)
{
    /// <summary>Items of a fixed shape, optionally normalised.</summary>
    public static InputDescription ForTensor(IReadOnlyList<int> shape, Normalization? normalize = null) =>
        Checked(new(InputKind.Tensor, [.. shape], normalize));

    /// <summary>Images resized to <paramref name="height"/> × <paramref name="width"/>, items of shape [C, H, W].</summary>
    public static InputDescription ForImages(int channels, int height, int width, Normalization? normalize = null, ResizeMethod resize = ResizeMethod.Squish) =>
        Checked(new(InputKind.Image, [channels, height, width], normalize, new ImageSpec(channels, height, width, resize)));

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
        if (Kind == InputKind.Image)
        {
            if (Image is null) throw new ArgumentException("An image input needs its channels, size and resize method (Image).");
            if (Shape.Count != 3 || Shape[0] != Image.Channels || Shape[1] != Image.Height || Shape[2] != Image.Width)
                throw new ArgumentException($"An image input's shape must be [channels, height, width] = [{Image.Channels}, {Image.Height}, {Image.Width}], not {ShapeText}.");
        }
    }

    private static InputDescription Checked(InputDescription d)
    {
        d.Validate();
        return d;
    }
}
