using static TorchSharp.torch;

namespace Trainwright.Bench;

/// <summary>
/// The baseline the Learner is measured against: what a TorchSharp user writes by hand, with none of this library's
/// pieces. One epoch: randperm + index_select batches, <c>nn.functional.cross_entropy</c>, <c>torch.optim.SGD</c> with
/// momentum (its learning rate set per batch from the same schedule the Learner follows), <c>item()</c> of the loss per
/// batch; then a validation pass reading loss and accuracy weighted by batch size.
/// </summary>
public static class RawTorchSharpLoop
{
    /// <summary>Trains <paramref name="model"/> for one epoch and validates it; returns the validation loss and accuracy.</summary>
    public static (double Loss, double Accuracy) Epoch(nn.Module<Tensor, Tensor> model, Tensor xTrain, Tensor yTrain,
        Tensor xValid, Tensor yValid, int batchSize, Func<double, double> lr, Func<Tensor, Tensor> prepare, List<float> losses)
    {
        using var opt = optim.SGD(model.parameters(), lr(0), momentum: 0.9);
        var group = opt.ParamGroups.First();
        long n = xTrain.shape[0];
        int batches = (int)((n + batchSize - 1) / batchSize);
        model.train();
        using (var perm = randperm(n))
        {
            for (int b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                var idx = perm.slice(0, (long)b * batchSize, Math.Min(n, (long)(b + 1) * batchSize), 1);
                var xb = xTrain.index_select(0, idx);
                var yb = yTrain.index_select(0, idx);
                group.LearningRate = lr((double)b / batches);
                var loss = nn.functional.cross_entropy(model.call(prepare(xb)), yb);
                opt.zero_grad();
                loss.backward();
                opt.step();
                losses.Add(loss.item<float>());
            }
        }

        model.eval();
        double lossSum = 0, correct = 0;
        long m = xValid.shape[0];
        using (no_grad())
        {
            for (long start = 0; start < m; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long end = Math.Min(m, start + batchSize);
                var xb = xValid.slice(0, start, end, 1);
                var yb = yValid.slice(0, start, end, 1);
                var pred = model.call(prepare(xb));
                lossSum += nn.functional.cross_entropy(pred, yb).item<float>() * (end - start);
                correct += pred.argmax(1).eq(yb).sum().item<long>();
            }
        }
        return (lossSum / m, correct / m);
    }
}
