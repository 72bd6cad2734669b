namespace Trainwright.Augment;

/// <summary>
/// Settings of batch augmentation (fastai's <c>aug_transforms</c>): a random flip, rotation, zoom and shear combined into
/// one affine matrix per image, plus brightness and contrast jitter. Start from a preset (<see cref="None"/>,
/// <see cref="Light"/>, <see cref="Default"/>, or <see cref="Preset"/> by name) and change any knob with <c>with</c>.
/// </summary>
public sealed record AugmentOptions
{
    /// <summary>Chance of mirroring an image left-right.</summary>
    public double FlipHorizontal { get; init; }

    /// <summary>Chance of mirroring an image top-bottom (off in every preset: most photos have an up).</summary>
    public double FlipVertical { get; init; }

    /// <summary>Chance that an image gets the random rotation, zoom and shear.</summary>
    public double AffineProbability { get; init; }

    /// <summary>Largest rotation either way, in degrees.</summary>
    public double MaxRotate { get; init; }

    /// <summary>Smallest zoom factor (1 = none; below 1 zooms out, showing reflected borders).</summary>
    public double MinZoom { get; init; } = 1.0;

    /// <summary>Largest zoom factor; a zoomed image shows a randomly placed part of the original.</summary>
    public double MaxZoom { get; init; } = 1.0;

    /// <summary>Largest shear either way (a perspective-free warp), as a fraction of the image side.</summary>
    public double MaxWarp { get; init; }

    /// <summary>Chance that an image gets the brightness and contrast jitter.</summary>
    public double LightingProbability { get; init; }

    /// <summary>Largest lighting change: brightness shifts by up to ±<c>MaxLighting</c>/2 of the full range and
    /// contrast scales by a factor between 1 − <c>MaxLighting</c> and 1 / (1 − <c>MaxLighting</c>).</summary>
    public double MaxLighting { get; init; }

    /// <summary>No augmentation.</summary>
    public static AugmentOptions None { get; } = new();

    /// <summary>Gentle: flips, ±5° rotation, up to 5% zoom, ±10% lighting.</summary>
    public static AugmentOptions Light { get; } = new()
    {
        FlipHorizontal = 0.5, AffineProbability = 0.75, MaxRotate = 5, MaxZoom = 1.05, LightingProbability = 0.75, MaxLighting = 0.1,
    };

    /// <summary>fastai's defaults: flips, ±10° rotation, up to 10% zoom, 10% shear, ±20% lighting.</summary>
    public static AugmentOptions Default { get; } = new()
    {
        FlipHorizontal = 0.5, AffineProbability = 0.75, MaxRotate = 10, MaxZoom = 1.1, MaxWarp = 0.1, LightingProbability = 0.75, MaxLighting = 0.2,
    };

    /// <summary>The names <see cref="Preset"/> accepts.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["none", "light", "default"];

    /// <summary>The preset called <paramref name="name"/> (none, light or default; case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static AugmentOptions Preset(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "none" => None,
        "light" => Light,
        "default" => Default,
        _ => throw new ArgumentException($"Unknown augmentation preset '{name}'; use one of: {string.Join(", ", PresetNames)}.", nameof(name)),
    };

    /// <summary>True when the settings change nothing.</summary>
    public bool IsIdentity =>
        FlipHorizontal == 0 && FlipVertical == 0 && (AffineProbability == 0 || (MaxRotate == 0 && MinZoom == 1 && MaxZoom == 1 && MaxWarp == 0))
        && (LightingProbability == 0 || MaxLighting == 0);

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public AugmentOptions Validate()
    {
        Probability(FlipHorizontal, nameof(FlipHorizontal));
        Probability(FlipVertical, nameof(FlipVertical));
        Probability(AffineProbability, nameof(AffineProbability));
        Probability(LightingProbability, nameof(LightingProbability));
        if (!(MaxRotate >= 0 && MaxRotate <= 180)) throw new ArgumentOutOfRangeException(nameof(MaxRotate), MaxRotate, "Rotation must be between 0 and 180 degrees.");
        if (!(MinZoom > 0 && MaxZoom >= MinZoom)) throw new ArgumentOutOfRangeException(nameof(MaxZoom), MaxZoom, $"Zoom needs 0 < MinZoom ≤ MaxZoom; got {MinZoom} and {MaxZoom}.");
        if (!(MaxWarp >= 0 && MaxWarp < 1)) throw new ArgumentOutOfRangeException(nameof(MaxWarp), MaxWarp, "Warp must be in [0, 1).");
        if (!(MaxLighting >= 0 && MaxLighting < 1)) throw new ArgumentOutOfRangeException(nameof(MaxLighting), MaxLighting, "Lighting must be in [0, 1).");
        return this;
    }

    private static void Probability(double p, string name)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(name, p, "A probability must be between 0 and 1.");
    }
}
