using Trainwright.Data.Tables;
using Trainwright.Inference;
using Trainwright.Learning;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Tests.Tables;
using static TorchSharp.torch;

namespace Trainwright.Tests.Inference;

/// <summary>Tabular models exported with their fitted preprocessing predict CSV rows as the learner's model computes them.</summary>
public class TableModelPredictionTests
{
    private const float Tolerance = 1e-5f;

    private static (Learner Learner, TabularModelSettings Settings) Train(TabularData data)
    {
        manual_seed(31);
        var settings = data.ModelSettings() with { Layers = [16, 8], Dropouts = [0.1, 0.1] };
        var learner = new Learner(new TabularModel(settings, new Generator(3)), data.ToDataBunch(32, seed: 1), data.Loss, Adam.Factory(), 1e-2);
        learner.FitOneCycle(3, 1e-2);
        learner.Model.eval();
        return (learner, settings);
    }

    private static float[][] ModelOutputs(Learner learner, Tensor x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var y = learner.Model.call(x);
        int w = (int)y.size(1);
        var flat = y.data<float>().ToArray();
        return [.. Enumerable.Range(0, (int)y.size(0)).Select(i => flat.AsSpan(i * w, w).ToArray())];
    }

    /// <summary>The CSV without its target column (what a user predicting new rows has).</summary>
    private static string WithoutLastColumn(CsvFiles files, string csv, char delimiter)
    {
        var lines = File.ReadAllLines(csv).Select(l => l[..l.LastIndexOf(delimiter)]);
        return files.Write("no-target-" + Path.GetFileName(csv), string.Join('\n', lines) + "\n");
    }

    [Fact]
    public void ClassifierPredictsEveryRowWithTheLearnersProbabilities()
    {
        using var files = new CsvFiles();
        var csv = files.Classification(600, seed: 4);
        using var data = TabularData.Load(csv, new TabularOptions { Target = "y" });
        var (learner, settings) = Train(data);
        var path = files.File("class.trainwright");
        learner.Export(path, ModelDescription.ForTable(data, settings));

        var manifest = ModelFile.ReadManifest(path);
        Assert.Equal(InputKind.Table, manifest.Input.Kind);
        Assert.Equal(data.Preprocessor.ToJson(), manifest.Input.Table!.ToJson());
        Assert.Equal(data.Classes, manifest.Target.Names);
        Assert.Equal(ModelArchitecture.TabularKind, manifest.Architecture.Kind);

        var expected = ModelOutputs(learner, data.ValidX);
        using var predictor = Predictor.Load(path);
        foreach (var source in new[] { csv, WithoutLastColumn(files, csv, ',') })
        {
            var predictions = predictor.PredictTable(source);
            Assert.Equal(data.Table.RowCount, predictions.Count);
            for (int i = 0; i < data.ValidRows.Count; i++)
            {
                var p = predictions[data.ValidRows[i]];
                Assert.True(expected[i].Zip(p.Outputs, (a, b) => Math.Abs(a - b)).Max() <= Tolerance, $"row {data.ValidRows[i]}");
                float max = expected[i].Max();
                var e = expected[i].Select(v => Math.Exp(v - max)).ToArray();
                for (int c = 0; c < e.Length; c++) Assert.Equal((float)(e[c] / e.Sum()), p.Probabilities[c], Tolerance);
                Assert.Equal(data.Classes[Array.IndexOf(expected[i], max)], p.Label);
            }
        }
        // A table without an input column is one line naming it.
        var partial = files.Write("partial.csv", "a,colour,size\n0.5,red,2\n");
        var error = Assert.Throws<TabularDataException>(() => predictor.PredictTable(partial));
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        var notImage = Assert.Throws<InvalidOperationException>(() => predictor.Predict(csv));
        Assert.StartsWith("This model takes table input", notImage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegressorPredictsInTheTargetsOwnUnits()
    {
        using var files = new CsvFiles();
        var csv = files.Regression(600, seed: 5);
        using var data = TabularData.Load(csv, new TabularOptions { Target = "y" });
        Assert.Equal(TabularTask.Regress, data.Task);
        var (learner, settings) = Train(data);
        var path = files.File("reg.trainwright");
        learner.Export(path, ModelDescription.ForTable(data, settings));

        using var predictor = Predictor.Load(path);
        Assert.Equal(data.Preprocessor.TargetScaling, predictor.Manifest.Target.Scaling);
        var expected = ModelOutputs(learner, data.ValidX);
        var predictions = predictor.PredictTable(Table.Read(WithoutLastColumn(files, csv, ';')));
        var scaling = data.Preprocessor.TargetScaling!;
        var y = data.Table["y"];
        double squared = 0;
        for (int i = 0; i < data.ValidRows.Count; i++)
        {
            var p = predictions[data.ValidRows[i]];
            Assert.Equal(expected[i][0], p.Outputs[0], Tolerance);
            // Closed form of the scaling (no log): z · std + mean.
            double units = expected[i][0] * scaling.Std + scaling.Mean;
            Assert.Equal(units, p.Value, 1e-5 * Math.Max(1, Math.Abs(units)));
            Assert.Equal(-1, p.Index);
            squared += Math.Pow(p.Value - y.NumberAt(data.ValidRows[i]), 2);
        }
        // y is about 10 ± 2 in its own units; scaled outputs (mean 0, std 1) would be ~10 off.
        double rmse = Math.Sqrt(squared / data.ValidRows.Count);
        Assert.InRange(rmse, 0, 1.0);
        Assert.InRange(scaling.Mean, 8, 12);
    }

    [Fact]
    public void TheTabularFactoryRebuildsEverySetting()
    {
        var settings = new TabularModelSettings([3, 5], 2, 1)
        {
            Layers = [7, 4],
            Dropouts = [0.2, 0.1],
            EmbeddingDropout = 0.05,
            EmbeddingSizes = [2, 3],
            BatchNormContinuous = false,
            YRange = new YRange(-1.5, 2.5),
        };
        using var built = ModelRegistry.Default.Build(ModelArchitecture.Tabular(settings));
        var rebuilt = Assert.IsType<TabularModel>(built).Settings;
        Assert.Equal(settings.Cardinalities, rebuilt.Cardinalities);
        Assert.Equal((settings.ContinuousCount, settings.Outputs, settings.EmbeddingDropout, settings.BatchNormContinuous, settings.YRange),
            (rebuilt.ContinuousCount, rebuilt.Outputs, rebuilt.EmbeddingDropout, rebuilt.BatchNormContinuous, rebuilt.YRange));
        Assert.Equal(settings.Layers, rebuilt.Layers);
        Assert.Equal(settings.Dropouts, rebuilt.Dropouts!);
        Assert.Equal(settings.EmbeddingSizes, rebuilt.EmbeddingSizes!);
        var refused = Assert.Throws<ArgumentException>(() => ModelRegistry.Default.Register(ModelArchitecture.XResNetKind, _ => nn.Identity()));
        Assert.Contains("built-in", refused.Message, StringComparison.Ordinal);
    }
}
