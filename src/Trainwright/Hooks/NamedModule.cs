using static TorchSharp.torch;

namespace Trainwright.Hooks;

/// <summary>A single-input module together with its dotted path inside the model (e.g. <c>"0"</c>, <c>"body.2"</c>).</summary>
/// <param name="Name">Dotted path of the module in its model; empty for the model itself.</param>
/// <param name="Module">The module.</param>
public sealed record NamedModule(string Name, nn.Module<Tensor, Tensor> Module);
