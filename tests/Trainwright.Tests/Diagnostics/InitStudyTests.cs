using System.Diagnostics;
using TorchSharp;
using Trainwright.Diagnostics;
using Trainwright.Tests.Init;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Trainwright.Tests.Diagnostics;

public class InitStudyTests(ITestOutputHelper output)
{
    private static (Tensor Images, Tensor Targets) RandomBatch()
    {
        using var g = new Generator(17);
        var images = randn([100, 1, 28, 28], generator: g);
        var targets = randint(0, 10, [100], generator: g);
        return (images, targets);
    }

    [Fact]
    public void DefaultInitCollapsesThroughTheConvnetWhileKaimingDoesNot()
    {
        var (images, targets) = RandomBatch();
        using var _i = images;
        using var _t = targets;
        var runs = InitStudy.ConvNet(images, targets, seed: 1);

        var byName = runs.ToDictionary(r => r.Init.Split(' ')[0]);
        var standard = byName["default"];
        var kaiming = byName["KaimingUniform_"];
        Assert.True(standard.OutputStd < 0.2 * kaiming.OutputStd,
            $"default output std {standard.OutputStd} vs kaiming {kaiming.OutputStd}");
        Assert.True(standard.FirstLayerGradStd < 0.5 * kaiming.FirstLayerGradStd,
            $"default grad std {standard.FirstLayerGradStd} vs kaiming {kaiming.FirstLayerGradStd}");
        // The per-layer record: 9 modules, the last one being the net's output.
        Assert.All(runs, r => Assert.Equal(9, r.Layers.Count));
        Assert.Equal(standard.OutputStd, standard.Layers[^1].Std, 1e-9);
        // Default init loses variance layer after layer (conv outputs at 0, 2, 4, 6).
        Assert.True(standard.Layers[6].Std < standard.Layers[0].Std);
        // LSUV leaves every conv output with unit std on this batch.
        var lsuv = byName["LSUV"];
        foreach (int i in new[] { 0, 2, 4, 6 }) Assert.InRange(lsuv.Layers[i].Std, 0.98, 1.02);
    }

    [Fact]
    public void RepeatedMultiplyExplodesVanishesOrStays()
    {
        var runs = InitStudy.MatMul(seed: 3);
        Assert.Equal(3, runs.Count);
        var exploding = runs[0];
        Assert.NotNull(exploding.FirstNonFiniteIteration);
        Assert.InRange(exploding.FirstNonFiniteIteration!.Value, 2, 99);
        Assert.True(double.IsNaN(exploding.FinalStd));
        Assert.Equal(exploding.FirstNonFiniteIteration.Value - 1, exploding.StdPerIteration.Count);
        // Each multiply by N(0,1) scales the std by about √512 ≈ 22.6.
        double growth = exploding.StdPerIteration[1] / exploding.StdPerIteration[0];
        Assert.InRange(growth, 15, 30);

        var vanishing = runs[1];
        Assert.Null(vanishing.FirstNonFiniteIteration);
        Assert.True(vanishing.FinalStd < 1e-10, $"final std {vanishing.FinalStd}");

        var scaled = runs[2];
        Assert.Null(scaled.FirstNonFiniteIteration);
        Assert.Equal(100, scaled.StdPerIteration.Count);
        Assert.InRange(scaled.FinalStd, 0.3, 3);
    }

    [Fact]
    public void SingleConvMatchesTheFormulasOnNormalInput()
    {
        var (images, _) = RandomBatch();
        using var _i = images;
        var stats = InitStudy.SingleConv(images, seed: 2);
        Assert.Equal(5, stats.Count);
        // Unit-variance input: the output variance is fan-in · Var(w) (+ the bias's variance).
        // Default: Var(w) = (gain(√5)·√3/√25)²/3 = 1/75, bias U(±1/5) adds 1/75: std ≈ √(25/75 + 1/75) ≈ 0.59.
        Assert.InRange(stats[0].Std, 0.45, 0.72);
        // Our KaimingUniform_(a=√5) reproduces the default's spread.
        Assert.InRange(stats[1].Std / stats[0].Std, 0.8, 1.25);
        // Kaiming normal a = 1: Var(w) = 1/25 → std ≈ √(1 + 1/75) ≈ 1.
        Assert.InRange(stats[2].Std, 0.85, 1.2);
        // ReLU outputs are smaller and positive on average.
        Assert.True(stats[3].Std < stats[0].Std && stats[3].Mean > 0);
        Assert.True(stats[4].Std > stats[3].Std);
        Assert.Equal(InitStudy.LessonDefaultConvStd, stats[0].ReferenceStd);
    }

    [Fact]
    public void RejectsBadBatches()
    {
        using var flat = randn(100, 784);
        using var targets = zeros(100);
        Assert.Throws<ArgumentException>(() => InitStudy.Run(flat, targets));
        using var images = randn(100, 1, 28, 28);
        using var fewTargets = zeros(10);
        Assert.Throws<ArgumentException>(() => InitStudy.Run(images, fewTargets));
    }

    [Fact]
    public void FullStudyOnMnistRendersMarkdownAndCharts()
    {
        using var images = MnistSlice.Images(100);
        using var labels = MnistSlice.Labels(100);
        var clock = Stopwatch.StartNew();
        var result = InitStudy.Run(images, labels, seed: 42);
        var elapsed = clock.Elapsed;

        var markdown = InitStudyReport.ToMarkdown(result);
        output.WriteLine($"Init study took {elapsed.TotalSeconds:F2} s");
        output.WriteLine(markdown);
        foreach (var expected in new[] { "0.0065", "0.033", "0.42", "0.4", "0.6", "0.37", "1.02" })
            Assert.Contains("≈ " + expected, markdown, StringComparison.Ordinal);
        foreach (var run in result.ConvNet) Assert.Contains(run.Init, markdown, StringComparison.Ordinal);
        Assert.Contains("| 6 Conv2d |", markdown, StringComparison.Ordinal);

        var folder = Path.Combine(Path.GetTempPath(), "trainwright-initstudy-" + Guid.NewGuid().ToString("N"));
        try
        {
            var paths = InitStudyReport.WriteCharts(result, folder);
            Assert.Equal(2, paths.Count);
            foreach (var path in paths)
            {
                var bytes = File.ReadAllBytes(path);
                Assert.True(bytes.Length > 1000);
                Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            }
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
