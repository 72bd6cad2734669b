namespace Trainwright.Data.Images;

/// <summary>One image file of an image folder: where it is, its class and its split.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Label">Index of its class in the sorted class names.</param>
/// <param name="Split">The split it belongs to.</param>
public sealed record ImageFile(string Path, int Label, ImageSplit Split);
