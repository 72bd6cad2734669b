using TorchSharp;
using TorchSharp.Modules;
using Trainwright.Init;
using static TorchSharp.torch;
using Trainwright.Hooks;

namespace Trainwright.Diagnostics;

/// <summary>
/// Lesson 9's research into PyTorch's default conv init (kaiming_uniform with a = √5): what it does to activation and
/// gradient statistics, and what fixes it. Returns plain records; <see cref="InitStudyReport"/> renders them.
/// </summary>
/// <remarks>
/// Module constructors draw from torch's global generator, so the study calls <c>torch.manual_seed(seed)</c> before
/// building each model (that changes the global generator's state); re-initialisations use their own seeded generator.
/// </remarks>
public static class InitStudy
{
    /// <summary>Dimension of x in the repeated-multiply experiment.</summary>
    public const int MatMulSize = 512;

    /// <summary>Number of multiplications in the repeated-multiply experiment.</summary>
    public const int MatMulIterations = 100;

    /// <summary>Lesson figure: std of Conv2d(1,32,5) output under PyTorch's default init.</summary>
    public const double LessonDefaultConvStd = 0.60;

    /// <summary>Lesson figure: std after ReLU of that conv under the default init.</summary>
    public const double LessonDefaultReluStd = 0.37;

    /// <summary>Lesson figure: std after ReLU of that conv under Kaiming normal with a = 0.</summary>
    public const double LessonKaimingReluStd = 1.02;

    /// <summary>Lesson figure: 4-layer convnet output std under the default init.</summary>
    public const double LessonDefaultNetOutputStd = 0.0065;

    /// <summary>Lesson figure: first-layer weight-gradient std under the default init.</summary>
    public const double LessonDefaultNetGradStd = 0.033;

    /// <summary>Lesson figure: 4-layer convnet output std after Kaiming uniform.</summary>
    public const double LessonKaimingNetOutputStd = 0.40;

    /// <summary>Lesson figure: first-layer weight-gradient std after Kaiming uniform.</summary>
    public const double LessonKaimingNetGradStd = 0.42;

    /// <summary>Runs parts (a), (b) and (c).</summary>
    /// <param name="images">Images shaped [N, 1, H, W] (the lesson: the first 100 normalised MNIST validation images).</param>
    /// <param name="targets">N targets (the lesson: the digit labels), used as regression targets for the MSE backward.</param>
    /// <param name="seed">Seed for every random draw.</param>
    public static InitStudyResult Run(Tensor images, Tensor targets, int seed = 42)
    {
        CheckBatch(images, targets);
        return new InitStudyResult(seed, images.shape.ToArray(), SingleConv(images, seed), ConvNet(images, targets, seed),
            MatMul(seed));
    }

    /// <summary>Part (a): one Conv2d(1, 32, 5) on <paramref name="images"/> under the default and Kaiming inits.</summary>
    /// <param name="images">Images shaped [N, 1, H, W] with H, W ≥ 5.</param>
    /// <param name="seed">Seed for every random draw.</param>
    public static IReadOnlyList<SingleConvStat> SingleConv(Tensor images, int seed = 42)
    {
        CheckImages(images);
        using var _ = no_grad();
        var stats = new List<SingleConvStat>
        {
            Measure("default init (kaiming_uniform a=√5), no ReLU", null, relu: false, LessonDefaultConvStd),
            Measure("our KaimingUniform_ a=√5 (should match default), no ReLU",
                (w, g) => WeightInit.KaimingUniform_(w, Math.Sqrt(5), generator: g), relu: false, null),
            Measure("KaimingNormal_ a=1 (linear), no ReLU", (w, g) => WeightInit.KaimingNormal_(w, 1, generator: g), relu: false, null),
            Measure("default init, then ReLU", null, relu: true, LessonDefaultReluStd),
            Measure("KaimingNormal_ a=0, then ReLU", (w, g) => WeightInit.KaimingNormal_(w, 0, generator: g), relu: true,
                LessonKaimingReluStd),
        };
        return stats;

        SingleConvStat Measure(string setting, Action<Tensor, Generator>? init, bool relu, double? reference)
        {
            using var scope = NewDisposeScope();
            manual_seed(seed);
            using var conv = nn.Conv2d(1, 32, 5);
            // As in the lesson, only the weight is re-initialised; the bias keeps its default U(±1/√fanIn).
            if (init is not null)
            {
                using var generator = new Generator((ulong)seed);
                init(conv.weight!, generator);
            }
            var output = conv.call(images);
            if (relu) output = nn.functional.relu(output);
            var (mean, std) = TensorStats.MeanStd(output);
            return new SingleConvStat(setting, mean, std, reference);
        }
    }

    /// <summary>
    /// The lesson's 4-layer convnet: Conv2d(1,8,5,s2,p2) ReLU, Conv2d(8,16,3,s2,p1) ReLU, Conv2d(16,32,3,s2,p1) ReLU,
    /// Conv2d(32,1,3,s2,p1), AdaptiveAvgPool2d(1), Flatten — with TorchSharp's default init.
    /// </summary>
    public static Sequential BuildConvNet() => nn.Sequential(
        nn.Conv2d(1, 8, 5, stride: 2, padding: 2), nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride: 2, padding: 1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride: 2, padding: 1), nn.ReLU(),
        nn.Conv2d(32, 1, 3, stride: 2, padding: 1),
        nn.AdaptiveAvgPool2d(1), nn.Flatten());

    /// <summary>
    /// Part (b): per-layer forward statistics and the first conv's weight-gradient std after an MSE backward against
    /// <paramref name="targets"/>, under the default init, Kaiming uniform, Kaiming normal (both a = 0, biases zeroed,
    /// as in the lesson) and LSUV (starting from the default init).
    /// </summary>
    /// <param name="images">Images shaped [N, 1, H, W].</param>
    /// <param name="targets">N regression targets.</param>
    /// <param name="seed">Seed for every random draw.</param>
    public static IReadOnlyList<ConvNetRun> ConvNet(Tensor images, Tensor targets, int seed = 42)
    {
        CheckBatch(images, targets);
        return
        [
            Run("default (kaiming_uniform a=√5)", null, LessonDefaultNetOutputStd, LessonDefaultNetGradStd),
            Run("KaimingUniform_ a=0", (net, g) => Kaiming(net, w => WeightInit.KaimingUniform_(w, 0, generator: g)),
                LessonKaimingNetOutputStd, LessonKaimingNetGradStd),
            Run("KaimingNormal_ a=0", (net, g) => Kaiming(net, w => WeightInit.KaimingNormal_(w, 0, generator: g)), null, null),
            Run("LSUV (from default)", (net, _) => Lsuv.Apply(net, images), null, null),
        ];

        ConvNetRun Run(string name, Action<Sequential, Generator>? init, double? referenceOutput, double? referenceGrad)
        {
            using var scope = NewDisposeScope();
            manual_seed(seed);
            using var net = BuildConvNet();
            if (init is not null)
            {
                using var generator = new Generator((ulong)seed);
                init(net, generator);
            }
            var layers = LayerSelection.Where(net, m => !ReferenceEquals(m, net));
            var options = new StatsOptions { Histogram = null };
            Tensor output;
            using (var hooks = HookSet.ForStats(layers, options))
            {
                output = net.call(images);
                var stats = hooks.Select((h, i) => new LayerStat($"{i} {h.Module.GetType().Name}", h.Records[^1].Mean, h.Records[^1].Std))
                    .ToList();
                var loss = nn.functional.mse_loss(output.squeeze(-1), targets.reshape(-1).to(output.dtype));
                loss.backward();
                var firstConv = LayerSelection.Conv2dLayers(net)[0];
                double gradStd = GradientStats.OfWeights([firstConv])[0].Std;
                return new ConvNetRun(name, stats, TensorStats.MeanStd(output).Std, gradStd, referenceOutput, referenceGrad);
            }
        }

        static void Kaiming(Sequential net, Action<Tensor> initWeight)
        {
            using var _ = no_grad();
            foreach (var layer in LayerSelection.Conv2dLayers(net))
            {
                var conv = (Conv2d)layer.Module;
                initWeight(conv.weight!);
                conv.bias?.zero_();
            }
        }
    }

    /// <summary>
    /// Part (c): x ← A·x repeated <see cref="MatMulIterations"/> times for a 512-vector, with A drawn from N(0, 1)
    /// (explodes), N(0, 0.01²) (vanishes) and N(0, 1/n) (stays near 1).
    /// </summary>
    /// <param name="seed">Seed for every random draw.</param>
    /// <param name="size">Dimension n.</param>
    /// <param name="iterations">Number of multiplications.</param>
    public static IReadOnlyList<MatMulRun> MatMul(int seed = 42, int size = MatMulSize, int iterations = MatMulIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        return
        [
            Run("A ~ N(0, 1)", 1.0),
            Run("A ~ N(0, 0.01²)", 0.01),
            Run($"A ~ N(0, 1/{size})", 1.0 / Math.Sqrt(size)),
        ];

        MatMulRun Run(string setting, double std)
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            using var generator = new Generator((ulong)seed);
            var x = randn(size, generator: generator);
            var a = randn(size, size, generator: generator).mul_(std);
            var stds = new List<double>(iterations);
            int? blewUp = null;
            for (int i = 1; i <= iterations; i++)
            {
                var next = a.matmul(x);
                x.Dispose();
                x = next;
                if (!x.isfinite().all().ToBoolean())
                {
                    blewUp = i;
                    break;
                }
                stds.Add(x.std().ToDouble());
            }
            var (mean, finalStd) = blewUp is null ? TensorStats.MeanStd(x) : (double.NaN, double.NaN);
            return new MatMulRun(setting, std, size, iterations, blewUp, mean, finalStd, stds);
        }
    }

    private static void CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Dimensions != 4 || images.shape[1] != 1)
            throw new ArgumentException(
                $"The init study needs one-channel images shaped [N, 1, H, W], got [{string.Join(", ", images.shape)}]; " +
                "reshape flat MNIST rows with .view(-1, 1, 28, 28).", nameof(images));
    }

    private static void CheckBatch(Tensor images, Tensor targets)
    {
        CheckImages(images);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.numel() != images.shape[0])
            throw new ArgumentException(
                $"Expected one target per image ({images.shape[0]}), got {targets.numel()}.", nameof(targets));
    }
}
