using TorchSharp;
using Trainwright.Losses;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Trainwright.Bench;

/// <summary>Our from-scratch cross entropy against TorchSharp's fused <c>cross_entropy</c>, forward and backward.</summary>
public static class CrossEntropyBench
{
    private const double Goal = 1.2;

    /// <summary>
    /// Times the step-by-step <see cref="LossFunctions.CrossEntropy"/> and the single-node
    /// <see cref="LossFunctions.FusedCrossEntropy"/> on batches of 64 and 512 rows with 10 classes, and 512 rows
    /// with 1000 classes.
    /// </summary>
    public static IEnumerable<Comparison> Run()
    {
        foreach (var fused in new[] { false, true })
        {
            yield return Measure(64, 10, iterations: 2000, fused);
            yield return Measure(512, 10, iterations: 1000, fused);
            yield return Measure(512, 1000, iterations: 100, fused);
        }
    }

    private static Comparison Measure(int rows, int classes, int iterations, bool fused)
    {
        var gen = new Generator(0);
        using var logits = randn(rows, classes, generator: gen).requires_grad_();
        using var target = randint(0, classes, [rows], generator: gen, dtype: ScalarType.Int64);

        void Loop(Func<Tensor, Tensor, Tensor> loss)
        {
            for (int i = 0; i < iterations; i++)
            {
                using var scope = NewDisposeScope();
                loss(logits, target).backward();
                logits.grad = null; // no accumulation cost on either side
            }
        }

        var (ours, theirs) = Interleaved.Time(
            () => Loop(fused ? LossFunctions.FusedCrossEntropy : LossFunctions.CrossEntropy),
            () => Loop((x, y) => F.cross_entropy(x, y)),
            repetitions: 11);
        var median = Stats.Median(ours) / Stats.Median(theirs);
        return new Comparison(
            $"cross entropy fwd+bwd, {rows}×{classes}, {iterations} iterations",
            fused ? "LossFunctions.FusedCrossEntropy" : "LossFunctions.CrossEntropy", "nn.functional.cross_entropy",
            ours, theirs, $"≤ {Goal:F2}×", median <= Goal);
    }
}
