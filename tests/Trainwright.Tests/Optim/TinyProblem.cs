using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Trainwright.Tests.Optim;

/// <summary>
/// Linear(10,5) + ReLU + Linear(5,3) with seeded weights and one fixed batch, so two copies built from the same seed
/// start bit-identical and can be trained side by side by two optimizers.
/// </summary>
internal sealed class TinyProblem : IDisposable
{
    private readonly Tensor x;
    private readonly Tensor y;

    public TinyProblem(int seed = 42)
    {
        manual_seed(seed);
        Model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 3));
        var gen = new Generator(7);
        x = randn(32, 10, generator: gen);
        y = randint(0, 3, [32], generator: gen, dtype: ScalarType.Int64);
    }

    public Sequential Model { get; }

    public Parameter[] Parameters => Model.parameters().ToArray();

    /// <summary>Forward, cross-entropy, backward; gradients accumulate unless zeroed by the caller.</summary>
    public void Backward()
    {
        using var scope = NewDisposeScope();
        F.cross_entropy(Model.forward(x), y).backward();
    }

    /// <summary>Runs <paramref name="steps"/> steps of zero-grad, backward, <paramref name="step"/>.</summary>
    public void Train(int steps, Action zeroGrad, Action step)
    {
        for (int i = 0; i < steps; i++)
        {
            zeroGrad();
            Backward();
            step();
        }
    }

    /// <summary>Every parameter's values, flattened, in model order.</summary>
    public float[][] Snapshot() => Parameters.Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    public static double MaxDifference(float[][] a, float[][] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
            for (int j = 0; j < a[i].Length; j++)
                max = Math.Max(max, Math.Abs(a[i][j] - b[i][j]));
        return max;
    }

    public static bool BitEqual(float[][] a, float[][] b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    public void Dispose()
    {
        Model.Dispose();
        x.Dispose();
        y.Dispose();
    }
}
