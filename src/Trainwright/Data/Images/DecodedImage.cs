namespace Trainwright.Data.Images;

/// <summary>What decoding one image learnt besides its pixels.</summary>
/// <param name="Header">The header (displayed size, grey file).</param>
/// <param name="Grey">True when the image has no colour: a grey file, or equal R, G and B everywhere in the output.</param>
/// <param name="Length">Columns written: the output's side, or for a wide training row the long side's length.</param>
/// <param name="Transposed">True when a portrait image was stored transposed (its long side along the row).</param>
internal readonly record struct DecodedImage(ImageHeader Header, bool Grey, int Length, bool Transposed);
