using System.Globalization;
using Trainwright.Data.Tables;

namespace Trainwright.Tests.Tables;

public class PreprocessingTests
{
    /// <summary>40 training rows then 10 validation rows (valid-last) whose values are extreme, new or missing.</summary>
    private static Table Table(bool wildValidation)
    {
        var x = new string?[50];
        var colour = new string?[50];
        var y = new string?[50];
        for (int i = 0; i < 50; i++)
        {
            bool valid = i >= 40;
            x[i] = i % 9 == 4 && !valid ? null : (valid && wildValidation ? 1000 + i : i).ToString(CultureInfo.InvariantCulture);
            colour[i] = valid && wildValidation ? (i % 2 == 0 ? "purple" : null) : (i % 3 == 0 ? "red" : "blue");
            y[i] = (i * 0.25 + (i % 2)).ToString(CultureInfo.InvariantCulture);
        }
        return Trainwright.Data.Tables.Table.FromTexts("p", [("x", x), ("colour", colour), ("y", y)]);
    }

    private static readonly TabularOptions Options = new() { Target = "y", ValidLast = 10, Continuous = ["x"], Categorical = ["colour"] };

    [Fact]
    public void StatisticsComeFromTheTrainingRowsOnly()
    {
        using var tame = TabularData.FromTable(Table(false), Options);
        using var wild = TabularData.FromTable(Table(true), Options);
        // Identical training rows give identical preprocessing, whatever the validation rows hold.
        Assert.Equal(tame.Preprocessor.ToJson(), wild.Preprocessor.ToJson());

        // Hand-computed from the 40 training rows: x = 0..39 without i % 9 == 4 (4, 13, 22, 31).
        var present = Enumerable.Range(0, 40).Where(i => i % 9 != 4).Select(i => (double)i).ToList();
        double median = (present[17] + present[18]) / 2; // 36 values
        var filled = Enumerable.Range(0, 40).Select(i => i % 9 == 4 ? median : i).ToArray();
        double mean = filled.Average();
        double std = Math.Sqrt(filled.Average(v => (v - mean) * (v - mean)));
        var x = wild.Preprocessor.Continuous.Single();
        Assert.Equal(median, x.Median, 12);
        Assert.Equal(mean, x.Mean, 12);
        Assert.Equal(std + 1e-7, x.Std, 12);
        var colour = wild.Preprocessor.Categorical.Single(c => c.Name == "colour");
        Assert.Equal(["#na#", "blue", "red"], colour.Levels);
        Assert.Equal(["colour", "x_na"], wild.Preprocessor.Categorical.Select(c => c.Name));
        var ys = Enumerable.Range(0, 40).Select(i => i * 0.25 + (i % 2)).ToArray();
        Assert.Equal(ys.Average(), wild.Preprocessor.TargetScaling!.Mean, 12);
    }

    [Theory]
    [InlineData(101, 1)]
    [InlineData(100, 2)]
    [InlineData(7, 3)]
    public void MedianEqualsTheSortedMiddle_WithDuplicatesAndOddOrEvenCounts(int rows, int seed)
    {
        var rng = new Random(seed);
        var values = Enumerable.Range(0, rows).Select(_ => (double)rng.Next(20) / 4).ToArray(); // many duplicates
        var table = Trainwright.Data.Tables.Table.FromTexts("m", [("x", [.. values.Select(v => (string?)v.ToString("R", CultureInfo.InvariantCulture))])]);
        var p = TabularPreprocessor.Fit(table, "x", TabularTask.Regress, [], [], ["x"], [.. Enumerable.Range(0, rows)], []);
        var sorted = values.Order().ToArray();
        double expected = rows % 2 == 1 ? sorted[rows / 2] : (sorted[rows / 2 - 1] + sorted[rows / 2]) / 2;
        Assert.Equal(expected, p.Continuous.Single().Median);
    }

    [Fact]
    public void UnseenAndMissingCategoriesGetTheReservedCode_MissingNumbersTheMedianAndAFlag()
    {
        var table = Table(true);
        using var data = TabularData.FromTable(table, Options);
        var m = data.Preprocessor.Transform(table);
        Assert.Equal(3, m.Width); // colour, x_na, x
        float Code(int row, int col) => m.X[row * m.Width + col];
        Assert.Equal(2, Code(0, 0));  // red
        Assert.Equal(1, Code(1, 0));  // blue
        Assert.Equal(0, Code(40, 0)); // purple: unseen
        Assert.Equal(0, Code(41, 0)); // missing
        Assert.Equal(2, Code(4, 1));  // x missing: flag "true"
        Assert.Equal(1, Code(5, 1));
        var x = data.Preprocessor.Continuous.Single();
        Assert.Equal((float)((x.Median - x.Mean) / x.Std), Code(4, 2));
        Assert.Equal((float)((1045 - x.Mean) / x.Std), Code(45, 2));
        // The tensors the loaders read are exactly these rows.
        Assert.Equal(m.X.Skip(40 * 3).ToArray(), data.ValidX.data<float>().ToArray());
    }

    [Fact]
    public void JsonRoundTripTransformsIdentically_AndTargetsMapBack()
    {
        using var files = new CsvFiles();
        using var data = TabularData.Load(files.Classification(120), new TabularOptions { Target = "y" });
        var json = data.Preprocessor.ToJson();
        var back = TabularPreprocessor.FromJson(json);
        Assert.Equal(json, back.ToJson());
        var a = data.Preprocessor.Transform(data.Table);
        var b = back.Transform(data.Table);
        Assert.Equal(a.X, b.X);
        Assert.Equal(a.ClassTargets, b.ClassTargets);
        // Prediction-time tables need no target column.
        var noTarget = back.Transform(data.Table, withTarget: false);
        Assert.Null(noTarget.ClassTargets);

        var scaling = new TargetScaling(2.5, 0.5, Log: true);
        Assert.Equal(7.25, scaling.FromModel(scaling.ToModel(7.25)), 12);
        using var z = TorchSharp.torch.tensor(new double[] { scaling.ToModel(3), scaling.ToModel(0) });
        using var back2 = scaling.FromModel(z);
        Assert.Equal([3.0, 0.0], back2.data<double>().ToArray().Select(v => Math.Round(v, 10)));
    }

    [Fact]
    public void LogTargetIsScaledOnTheLogScale()
    {
        var y = Enumerable.Range(0, 30).Select(i => (string?)Math.Exp(i * 0.1).ToString("R", CultureInfo.InvariantCulture)).ToArray();
        var x = Enumerable.Range(0, 30).Select(i => (string?)(i * 0.37).ToString("R", CultureInfo.InvariantCulture)).ToArray();
        var table = Trainwright.Data.Tables.Table.FromTexts("l", [("x", x), ("y", y)]);
        using var data = TabularData.FromTable(table, new TabularOptions { Target = "y", LogTarget = true, ValidLast = 5 });
        var logs = Enumerable.Range(0, 25).Select(i => Math.Log(1 + Math.Exp(i * 0.1))).ToArray();
        Assert.Equal(logs.Average(), data.Preprocessor.TargetScaling!.Mean, 10);
        Assert.Equal(Math.Exp(2.9), data.Preprocessor.TargetScaling.FromModel(data.ValidY.data<float>()[4]), 4);
    }
}
