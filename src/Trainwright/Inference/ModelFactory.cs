using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>Builds a fresh, untrained module from the settings stored in a <see cref="ModelArchitecture"/>.</summary>
public delegate nn.Module<Tensor, Tensor> ModelFactory(JsonObject settings);
