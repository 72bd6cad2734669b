namespace Trainwright.Data.Images;

/// <summary>Progress of the first read of an image folder (later loads come from the decode cache).</summary>
/// <param name="Phase">What runs: "Reading headers" or "Decoding".</param>
/// <param name="Done">Images done so far in this phase.</param>
/// <param name="Total">Images this phase will do.</param>
/// <param name="Elapsed">Time since the phase started.</param>
public sealed record ImageLoadProgress(string Phase, int Done, int Total, TimeSpan Elapsed)
{
    /// <summary>Images per second so far (0 before the first finishes).</summary>
    public double ImagesPerSecond => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left at the current rate, or null before there is a rate.</summary>
    public TimeSpan? Eta => Done > 0 && ImagesPerSecond > 0 ? TimeSpan.FromSeconds((Total - Done) / ImagesPerSecond) : null;
}
