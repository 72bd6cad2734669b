using Trainwright.Data;
using Trainwright.Learning;
using static TorchSharp.torch;

namespace Trainwright.Tests.Support;

/// <summary>A small, seeded classification problem and learner for loop tests.</summary>
internal static class Tiny
{
    public static DataBunch Data(int trainItems = 40, int validItems = 20, int batchSize = 8, int features = 6, int classes = 3, long seed = 1)
    {
        var g = new Generator((ulong)seed);
        var xt = randn(new long[] { trainItems, features }, generator: g);
        var yt = randint(0, classes, new long[] { trainItems }, generator: g);
        var xv = randn(new long[] { validItems, features }, generator: g);
        var yv = randint(0, classes, new long[] { validItems }, generator: g);
        return new DataBunch(new InMemoryLoader(xt, yt, batchSize), new InMemoryLoader(xv, yv, batchSize * 2), classes);
    }

    /// <summary>The same kind of problem through the library's shuffled DataLoader (seeded).</summary>
    public static DataBunch ShuffledData(int trainItems = 40, int validItems = 20, int batchSize = 8, int seed = 7)
    {
        var g = new Generator(3);
        var xt = randn(new long[] { trainItems, 6 }, generator: g);
        var yt = randint(0, 3, new long[] { trainItems }, generator: g);
        var xv = randn(new long[] { validItems, 6 }, generator: g);
        var yv = randint(0, 3, new long[] { validItems }, generator: g);
        return DataBunch.FromDatasets(new TensorPairDataset(xt, yt), new TensorPairDataset(xv, yv), batchSize, c: 3, seed: seed);
    }

    public static nn.Module<Tensor, Tensor> Model(int features = 6, int classes = 3, long seed = 2)
    {
        manual_seed(seed);
        return nn.Sequential(nn.Linear(features, 10), nn.ReLU(), nn.Linear(10, classes));
    }

    public static Learner Learner(DataBunch? data = null, IEnumerable<Callback>? callbacks = null, double lr = 0.1,
        Trainwright.Optim.OptimizerFactory? optimizer = null,
        Func<nn.Module, IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>>>? splitter = null) =>
        new(Model(), data ?? Data(), (p, y) => nn.functional.cross_entropy(p, y), optimizer ?? PlainSgd.Factory, lr, callbacks, splitter);
}
