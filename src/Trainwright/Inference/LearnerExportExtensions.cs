using Trainwright.Export.Onnx;
using Trainwright.Learning;

namespace Trainwright.Inference;

/// <summary><c>learner.Export</c> and <c>learner.ExportOnnx</c>: the trained model as a file others can use.</summary>
public static class LearnerExportExtensions
{
    /// <summary>
    /// Writes the learner's model as a self-contained model file (see <see cref="ModelFile"/>): weights, architecture,
    /// input and target descriptions, versions and a checksum, atomically. Load it with <see cref="Predictor.Load"/>.
    /// </summary>
    /// <param name="learner">The learner whose model is exported (its optimizer and data are not).</param>
    /// <param name="path">Destination, conventionally ending in <see cref="ModelFile.Extension"/>.</param>
    /// <param name="description">Architecture, input and target of the model.</param>
    /// <param name="metadata">Free-form notes stored in the manifest.</param>
    /// <param name="registry">Registry that must be able to rebuild the architecture (default <see cref="ModelRegistry.Default"/>).</param>
    /// <exception cref="ModelFileException">The architecture cannot be rebuilt or does not match the model.</exception>
    public static void Export(this Learner learner, string path, ModelDescription description,
        IReadOnlyDictionary<string, string>? metadata = null, ModelRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ModelFile.Write(path, learner.Model, description, metadata, registry);
    }

    /// <summary>Writes the learner's model as ONNX (see <see cref="OnnxExporter"/>), atomically.</summary>
    /// <exception cref="OnnxExportException">A layer the exporter does not know; nothing is written.</exception>
    public static void ExportOnnx(this Learner learner, string path, ModelDescription description, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        OnnxExporter.Export(path, learner.Model, description, options);
    }
}
