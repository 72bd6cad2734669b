namespace Trainwright.Data.Images;

/// <summary>What an image file's header says, read without decoding its pixels.</summary>
/// <param name="Size">Displayed size (width and height swapped for a 90° EXIF orientation).</param>
/// <param name="Grey">True when the file stores one grey channel.</param>
public readonly record struct ImageHeader(ImageSize Size, bool Grey);
