using static TorchSharp.torch;

namespace Trainwright.Losses;

/// <summary>
/// A loss: model output and targets in, a scalar (0-d) tensor out that autograd can differentiate.
/// </summary>
/// <param name="pred">The model's output for a batch, batch first.</param>
/// <param name="target">The batch's targets, batch first.</param>
/// <returns>A 0-d tensor: the loss averaged over the batch.</returns>
public delegate Tensor LossFunction(Tensor pred, Tensor target);
