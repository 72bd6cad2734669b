namespace Trainwright.Inference;

/// <summary>The readable header of a model file.</summary>
/// <param name="FormatVersion">Version of the file layout (<see cref="ModelFile.FormatVersion"/> when written).</param>
/// <param name="TrainwrightVersion">Version of the library that wrote the file.</param>
/// <param name="CreatedUtc">When the file was written.</param>
/// <param name="Architecture">How to rebuild the model.</param>
/// <param name="Input">What the model takes.</param>
/// <param name="Target">What the model predicts.</param>
/// <param name="Metadata">Free-form notes (run folder, epochs, accuracy…).</param>
public sealed record ModelManifest(int FormatVersion, string TrainwrightVersion, DateTimeOffset CreatedUtc,
    ModelArchitecture Architecture, InputDescription Input, TargetDescription Target, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The architecture, input and target together.</summary>
    public ModelDescription Description => new(Architecture, Input, Target);
}
