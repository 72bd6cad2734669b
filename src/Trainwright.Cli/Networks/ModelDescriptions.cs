using Trainwright.Cli.DataSources;
using Trainwright.Cli.Settings;
using Trainwright.Inference;

namespace Trainwright.Cli.Networks;

/// <summary>What a run's model file says about the model: its architecture as data, its input and its classes.</summary>
internal static class ModelDescriptions
{
    /// <summary>The description of the model <paramref name="spec"/> builds, trained on <paramref name="data"/>.</summary>
    public static ModelDescription For(ModelSpec spec, ITrainingData data)
    {
        // A CNN takes images [C, H, W] (the learner reshapes flat rows for it); the MLP takes flat rows.
        int[] item = spec.NeedsImages ? [spec.Channels, spec.Height, spec.Width] : [(int)spec.Inputs];
        var architecture = spec.Kind switch
        {
            ModelKind.Mlp => ModelArchitecture.Mlp((int)spec.Inputs, spec.Hidden, spec.Classes),
            ModelKind.Cnn => ModelArchitecture.Cnn(spec.Channels, spec.Classes),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Not a model kind."),
        };
        return new ModelDescription(architecture, data.ModelInput(item), TargetDescription.Classes(data.Shape.ClassNames));
    }
}
