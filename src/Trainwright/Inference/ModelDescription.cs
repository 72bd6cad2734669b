using Trainwright.Data;
using Trainwright.Data.Images;
using Trainwright.Data.Tables;
using Trainwright.Models;

namespace Trainwright.Inference;

/// <summary>
/// Everything besides the weights that a model file needs: how to rebuild the model, what it takes, what it predicts.
/// Build one from the training data with <see cref="ForImages"/>, <see cref="ForTable(TabularData, TabularModelSettings)"/> or <see cref="ForIdx"/>, so the
/// file carries the very preprocessing training used.
/// </summary>
/// <param name="Architecture">The model as data (built-in kind or registered factory, and its settings).</param>
/// <param name="Input">Item shape, kind and preprocessing.</param>
/// <param name="Target">Class names or regression outputs.</param>
public sealed record ModelDescription(ModelArchitecture Architecture, InputDescription Input, TargetDescription Target)
{
    /// <summary>
    /// A classifier of the image folder's classes, fed by its <see cref="ImageFolderData.Preprocessing"/> (size, resize
    /// method, channels, per-channel statistics).
    /// </summary>
    /// <param name="data">The image folder the model was trained on.</param>
    /// <param name="architecture">The model, e.g. <c>ModelArchitecture.XResNet(data.Channels, data.C, 18, 0.25)</c>.</param>
    public static ModelDescription ForImages(ImageFolderData data, ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(architecture);
        return new(architecture, InputDescription.ForImages(data.Preprocessing), TargetDescription.Classes(data.ClassNames));
    }

    /// <summary>
    /// A <see cref="TabularModel"/> built from <paramref name="settings"/>, fed by the table's fitted
    /// <see cref="TabularData.Preprocessor"/>, predicting its classes, or its regression target mapped back to the
    /// target's units through <see cref="TabularPreprocessor.TargetScaling"/>.
    /// </summary>
    /// <param name="data">The table the model was trained on.</param>
    /// <param name="settings">The model's settings (usually <see cref="TabularData.ModelSettings"/>, perhaps adjusted).</param>
    public static ModelDescription ForTable(TabularData data, TabularModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        return ForTable(data.Preprocessor, settings);
    }

    /// <summary>As <see cref="ForTable(TabularData, TabularModelSettings)"/>, from a fitted preprocessing alone.</summary>
    public static ModelDescription ForTable(TabularPreprocessor preprocessor, TabularModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.InputWidth != preprocessor.InputWidth)
            throw new ArgumentException($"The model takes {settings.InputWidth} inputs per row but the preprocessing makes {preprocessor.InputWidth}; build the settings from the same data.", nameof(settings));
        return new(ModelArchitecture.Tabular(settings), InputDescription.ForTable(preprocessor), TargetDescription.ForTable(preprocessor));
    }

    /// <summary>
    /// A classifier of IDX images (MNIST and the like), numbered by their label values. Raw items are pixels on the
    /// [0, 1] scale; the data's mean and standard deviation are the normalisation (when it normalised). The item shape
    /// is [H·W] for <c>mlp</c> and [1, H, W] for the other kinds (convolutional models).
    /// </summary>
    public static ModelDescription ForIdx(MnistData data, ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(architecture);
        var (h, w) = data.ImageShape;
        int[] shape = architecture.Kind == ModelArchitecture.MlpKind ? [h * w] : [1, h, w];
        var normalize = data.IsNormalized ? Normalization.Global(data.Mean, data.Std) : null;
        var names = data.ClassLabels.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new(architecture, InputDescription.ForTensor(shape, normalize), TargetDescription.Classes(names));
    }
}
