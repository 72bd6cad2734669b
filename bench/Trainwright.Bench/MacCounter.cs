using Trainwright.Hooks;
using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// Counts a model's forward multiply-adds per item by running one item through it with a hook on every layer that has
/// a weight matrix or kernel (linear and convolution layers): each output element of such a layer costs one
/// multiply-add per weight of the output channel it belongs to.
/// </summary>
public static class MacCounter
{
    /// <summary>Forward MACs for one item of shape <paramref name="itemShape"/>.</summary>
    public static long ForwardMacs(nn.Module<Tensor, Tensor> model, params long[] itemShape)
    {
        long macs = 0;
        var hooks = new List<Hook>();
        try
        {
            foreach (var (_, module) in model.named_modules())
            {
                if (module is not nn.Module<Tensor, Tensor> layer) continue;
                var weight = layer.named_parameters(recurse: false).FirstOrDefault(p => p.name == "weight").parameter;
                if (weight is null || weight.dim() < 2) continue;
                long perOutput = weight.numel() / weight.size(0);
                hooks.Add(new Hook(layer, (_, _, output) => macs += output.numel() * perOutput));
            }
            bool training = model.training;
            model.eval();
            using (no_grad())
            using (var x = randn([1, .. itemShape]))
            using (var y = model.call(x)) { }
            model.train(training);
        }
        finally
        {
            foreach (var hook in hooks) hook.Dispose();
        }
        return macs;
    }
}
