// Notebook 03 (mini-batch training): the pieces of a training loop, built and checked one by one.
//
// The lesson writes cross entropy from scratch (log-softmax via log-sum-exp, negative log likelihood by picking each
// row's target with integer-array indexing), checks it against PyTorch's, then builds Dataset → Sampler → DataLoader
// so the loop can say "for xb, yb in train_dl", and ends with a loop whose validation loss is averaged correctly.
//
//   dotnet run -c Release --project examples/03_MinibatchTraining

using System.Globalization;
using TorchSharp;
using Trainwright.Data;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using static TorchSharp.torch;
using Trainwright.Metrics;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
using var mnist = MnistData.Bundled();
manual_seed(1);
var model = Mlp.Create(mnist.FeatureCount, 50, mnist.ClassCount);

// ---- 1. Cross entropy from scratch, against TorchSharp's ----
using (var scope = NewDisposeScope())
{
    var xb = mnist.TrainX[..64];
    var yb = mnist.TrainY[..64];
    var pred = model.call(xb);
    // log softmax = x − log Σ exp(x), with the row maximum taken out first so exp cannot overflow (log-sum-exp trick).
    var ours = LossFunctions.LogSoftmax(pred);
    var theirs = nn.functional.log_softmax(pred, -1);
    Console.WriteLine($"log_softmax: max |ours − torch| = {(ours - theirs).abs().max().ToSingle():E2}");
    // NLL picks each row's log-probability at its target: logProbs[i, target[i]] for i = 0..n−1, then −mean.
    Console.WriteLine($"nll:           ours {LossFunctions.Nll(ours, yb).ToSingle():F6}  torch {nn.functional.nll_loss(theirs, yb).ToSingle():F6}");
    Console.WriteLine($"cross entropy: ours {LossFunctions.CrossEntropy(pred, yb).ToSingle():F6}  torch {nn.functional.cross_entropy(pred, yb).ToSingle():F6}"
        + $"  fused {LossFunctions.FusedCrossEntropy(pred, yb).ToSingle():F6}");
    Console.WriteLine($"accuracy of the untrained model: {ClassificationMetrics.AccuracyOf(pred, yb).ToSingle():F4} (about 1 in 10)");
}

// ---- 2. Dataset, Sampler, DataLoader ----
// A dataset is anything with a count and an indexer; TensorPairDataset pairs the images with their labels.
var trainDs = new TensorPairDataset(mnist.TrainX, mnist.TrainY);
var validDs = new TensorPairDataset(mnist.ValidX, mnist.ValidY);
var (x0, y0) = trainDs[0];
Console.WriteLine($"\ntrain_ds: {trainDs.Count} items; item 0 is x [{string.Join(", ", x0.shape)}], y = {y0.ToInt64()}");
// A sampler decides the order: shuffled for training (a new permutation every epoch), sequential for validation.
var sampler = new Sampler(10, shuffle: true, seed: 42);
Console.WriteLine($"a shuffled sampler over 10 items: epoch 0 [{string.Join(", ", sampler.Order(0))}], epoch 1 [{string.Join(", ", sampler.Order(1))}]");
// The loader cuts the sampler's order into batches and collates each batch's items into two tensors.
const int bs = 64;
var trainDl = new DataLoader<(Tensor X, Tensor Y)>(trainDs, bs, shuffle: true, seed: 1);
var validDl = new DataLoader<(Tensor X, Tensor Y)>(validDs, bs * 2);
Console.WriteLine($"train_dl: {trainDl.BatchCount} batches of {bs}; valid_dl: {validDl.BatchCount} batches of {bs * 2} "
    + $"(the last holds {validDs.Count % (bs * 2)})");

// ---- 3. The training loop, with validation ----
// Our SGD (no momentum here): p ← p − lr·grad, then zero the gradients, which PyTorch otherwise accumulates.
using var opt = new Sgd(model.parameters(), lr: 0.5);
for (int epoch = 0; epoch < 2; epoch++)
{
    trainDl.Epoch = epoch;
    model.train();
    foreach (var batch in trainDl)
    {
        using var _ = batch;
        using var scope = NewDisposeScope(); // every tensor this batch makes is freed at the end of it
        var loss = LossFunctions.CrossEntropy(model.call(batch.Xb), batch.Yb);
        loss.backward();
        opt.Step();
        opt.ZeroGrad();
    }

    // Validation: no gradients, eval mode. Each batch's mean is weighted by its size: the lesson's first version
    // divided the sum of batch means by the number of batches, which is wrong when the last batch is smaller.
    model.eval();
    double lossSum = 0, accSum = 0, meanOfMeans = 0;
    int items = 0, batches = 0;
    using (no_grad())
    {
        foreach (var batch in validDl)
        {
            using var _ = batch;
            using var scope = NewDisposeScope();
            var pred = model.call(batch.Xb);
            double loss = LossFunctions.CrossEntropy(pred, batch.Yb).ToDouble();
            lossSum += loss * batch.Size;
            accSum += ClassificationMetrics.AccuracyOf(pred, batch.Yb).ToDouble() * batch.Size;
            meanOfMeans += loss;
            items += batch.Size;
            batches++;
        }
    }
    Console.WriteLine($"epoch {epoch + 1}: valid loss {lossSum / items:F4} (mean of batch means: {meanOfMeans / batches:F4}), "
        + $"valid accuracy {accSum / items:F4}");
}
