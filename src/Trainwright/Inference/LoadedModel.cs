using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>A model rebuilt from a model file, in eval mode, with its manifest. Dispose it to free the weights.</summary>
/// <param name="Manifest">What the file says about the model.</param>
/// <param name="Module">The rebuilt module with the file's weights.</param>
public sealed record LoadedModel(ModelManifest Manifest, nn.Module<Tensor, Tensor> Module) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Module.Dispose();
}
