using Trainwright.Tests.Support;
using System.Text.Json.Nodes;
using Trainwright.Inference;
using Trainwright.Plotting;
using Trainwright.Tests.Data;

namespace Trainwright.Tests.Inference;

public class InterpretationTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    // Targets a a a b b c, predictions a a b b c c (each logit row puts 2.0 on the predicted class).
    private static ClassificationReport HandCase()
    {
        long[] targets = [0, 0, 0, 1, 1, 2];
        int[] predicted = [0, 0, 1, 1, 2, 2];
        var logits = new float[6 * 3];
        for (int i = 0; i < 6; i++) logits[i * 3 + predicted[i]] = 2f;
        return Interpretation.FromLogits(logits, 3, targets, Abc, topLosses: 3);
    }

    [Fact]
    public void MetricsMatchAHandComputedCase()
    {
        var r = HandCase();
        const double eps = 1e-12;
        Assert.Equal(4.0 / 6, r.Accuracy, eps);
        // a: tp 2, fp 0, fn 1. b: tp 1, fp 1, fn 1. c: tp 1, fp 1, fn 0.
        Assert.Equal([1.0, 0.5, 0.5], r.PerClass.Select(m => m.Precision));
        Assert.Equal(2.0 / 3, r.PerClass[0].Recall, eps);
        Assert.Equal(0.5, r.PerClass[1].Recall, eps);
        Assert.Equal(1.0, r.PerClass[2].Recall, eps);
        Assert.Equal(0.8, r.PerClass[0].F1, eps);
        Assert.Equal(0.5, r.PerClass[1].F1, eps);
        Assert.Equal(2.0 / 3, r.PerClass[2].F1, eps);
        Assert.Equal([3, 2, 1], r.PerClass.Select(m => m.Support));
        Assert.Equal(2.0 / 3, r.Macro.Precision, eps);
        Assert.Equal(13.0 / 18, r.Macro.Recall, eps);
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, r.Macro.F1, eps);
        Assert.Equal(4.5 / 6, r.Weighted.Precision, eps);
        Assert.Equal(4.0 / 6, r.Weighted.Recall, eps);
        Assert.Equal((2.4 + 1 + 2.0 / 3) / 6, r.Weighted.F1, eps);
        Assert.Equal([(0, 1, 1), (1, 2, 1)], r.MostConfused.Select(p => (p.Actual, p.Predicted, p.Count)));
        Assert.Equal(1, r.Confusion[0, 1]);
        Assert.Equal(2, r.Confusion[0, 0]);
        Assert.Equal(0, r.Confusion[2, 0]);
        // A wrong item's loss: logits (0, 2, 0) for target 0 → log(2 + e²) - 0... i.e. logsumexp - logit[target].
        double wrongLoss = Math.Log(2 + Math.Exp(2));
        double rightLoss = Math.Log(2 + Math.Exp(2)) - 2;
        Assert.Equal((2 * wrongLoss + 4 * rightLoss) / 6, r.MeanLoss, 1e-9);
        Assert.Equal(wrongLoss, r.TopLosses[0].Loss, 1e-9);
        Assert.Equal([2, 4], r.TopLosses.Take(2).Select(t => t.Item));
        Assert.Equal(Math.Exp(2) / (2 + Math.Exp(2)), r.TopLosses[0].Probability, 1e-9);
        Assert.Equal("b", r.TopLosses[0].PredictedName);
        var normalised = r.Confusion.ToDense(normalize: true);
        Assert.Equal(2.0 / 3, normalised[0, 0], eps);
        Assert.Equal(0.5, normalised[1, 2], eps);
    }

    [Fact]
    public void WritesMarkdownJsonAndHeatmap()
    {
        using var dir = new TempFolder();
        var written = EvaluationWriter.WriteAll(HandCase(), dir.Path, normalizeConfusion: true);
        Assert.Equal(3, written.Count);
        var png = File.ReadAllBytes(dir.File("confusion-matrix.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        var md = File.ReadAllText(dir.File("evaluation.md"));
        Assert.Contains("| macro | 0.6667 | 0.7222 | 0.6556 |", md, StringComparison.Ordinal);
        Assert.Contains("| a | b | 1 |", md, StringComparison.Ordinal);
        var json = JsonNode.Parse(File.ReadAllText(dir.File("evaluation.json")))!;
        Assert.Equal(6, json["items"]!.GetValue<int>());
        Assert.Equal(0.8, json["perClass"]![0]!["f1"]!.GetValue<double>(), 1e-12);
        Assert.Equal(5, json["confusion"]!.AsArray().Count); // (a,a) (a,b) (b,b) (b,c) (c,c)
    }

    [Fact]
    public void ThousandsOfClassesStayCompactAndSkipTheHeatmap()
    {
        using var dir = new TempFolder();
        const int classes = 3000, items = 6000;
        var rng = new Random(1);
        var logits = new float[(long)items * classes];
        var targets = new long[items];
        for (int i = 0; i < items; i++)
        {
            targets[i] = i % classes;
            int predicted = rng.NextDouble() < 0.7 ? i % classes : rng.Next(classes);
            logits[(long)i * classes + predicted] = 5f;
        }
        var names = Enumerable.Range(0, classes).Select(i => $"class{i}").ToArray();
        var report = Interpretation.FromLogits(logits, classes, targets, names);
        var written = EvaluationWriter.WriteAll(report, dir.Path);
        Assert.Equal(2, written.Count);
        Assert.False(File.Exists(dir.File("confusion-matrix.png")));
        var md = File.ReadAllText(dir.File("evaluation.md"));
        Assert.Contains("lowest F1 (all 3000 are in evaluation.json)", md, StringComparison.Ordinal);
        Assert.True(md.Split('\n').Length < 150, "the Markdown must not grow with the number of classes");
        var json = JsonNode.Parse(File.ReadAllText(dir.File("evaluation.json")))!;
        Assert.Equal(classes, json["perClass"]!.AsArray().Count);
        Assert.Equal(items, json["confusion"]!.AsArray().Sum(e => e![2]!.GetValue<int>()));
    }

    [Fact]
    public void SmoothedLossIsTheDebiasedMovingAverage()
    {
        double[] x = [1, 2, 3];
        var s = LossChart.Smooth(x, 0.5);
        Assert.Equal(1.0, s[0], 1e-12);
        Assert.Equal((0.25 * 1 + 0.5 * 2) / 0.75, s[1], 1e-12);
        Assert.Equal((0.125 * 1 + 0.25 * 2 + 0.5 * 3) / 0.875, s[2], 1e-12);
    }
}
