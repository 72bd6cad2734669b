namespace Trainwright.Inference;

/// <summary>The images a model was trained on: channels and size after resizing, and how they were resized.</summary>
/// <param name="Channels">1 (grey) or 3 (RGB).</param>
/// <param name="Height">Height in pixels fed to the model.</param>
/// <param name="Width">Width in pixels fed to the model.</param>
/// <param name="Resize">How other sizes were brought to Height × Width.</param>
public sealed record ImageSpec(int Channels, int Height, int Width, ResizeMethod Resize = ResizeMethod.Squish);
