using Trainwright.Tests.Init;
using static TorchSharp.torch;

namespace Trainwright.Tests.Inference;

/// <summary>Gives models non-trivial batch-norm statistics without a full training run.</summary>
internal static class TrainedModels
{
    /// <summary>Runs a few real MNIST batches through the model in training mode (updating BN running stats), then eval.</summary>
    public static T WarmBatchNorm<T>(T model, bool flat = false) where T : nn.Module<Tensor, Tensor>
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.train();
        var images = MnistSlice.Images(256);
        for (int i = 0; i < 4; i++)
        {
            var x = images.narrow(0, i * 64, 64);
            model.call(flat ? x.reshape(64, 784) : x);
        }
        model.eval();
        return model;
    }
}
