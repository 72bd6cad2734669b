using System.Globalization;
using Trainwright.Data.Tables;

namespace Trainwright.Tests.Tables;

/// <summary>
/// The fast paths of preprocessing against plain references: the sampled median against a full sort, the two-pass
/// mean and deviation against the textbook formulas, array-based category codes against looking up each value's text,
/// the counting-sort stratified split against grouping with LINQ, and the blocked parallel transform against a
/// row-by-row computation.
/// </summary>
public class PreprocessingAlgorithmTests
{
    private static double SortedMedian(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    public static TheoryData<string, int> Shapes => new()
    {
        { "uniform", 20_001 }, { "uniform", 40_000 }, { "few values", 30_000 }, { "all equal", 20_000 },
        { "sorted", 25_000 }, { "reversed", 25_001 }, { "two clusters", 40_000 }, { "periodic", 32_768 }, { "small", 101 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MedianEqualsTheSortedMiddle_OnDataThatFavoursAndDefeatsTheSample(string shape, int n)
    {
        var rng = new Random(n);
        double[] values = shape switch
        {
            "uniform" or "small" => [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 200 - 100)],
            "few values" => [.. Enumerable.Range(0, n).Select(_ => (double)rng.Next(5))],
            "all equal" => [.. Enumerable.Repeat(3.25, n)],
            "sorted" => [.. Enumerable.Range(0, n).Select(i => i * 0.5)],
            "reversed" => [.. Enumerable.Range(0, n).Select(i => -i * 0.5)],
            // Half the values far below, half far above: the middle sits in an empty gap between the clusters.
            "two clusters" => [.. Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -1e6 - rng.NextDouble() : 1e6 + rng.NextDouble())],
            // A period that lines up with the sample's stride, so the sample sees one value only.
            "periodic" => [.. Enumerable.Range(0, n).Select(i => i % 8 == 0 ? 1.0 : rng.NextDouble() * 10)],
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
        var copy = values.ToArray();
        Assert.Equal(SortedMedian(values), ColumnStatistics.Median(values));
        Assert.Equal(copy, values); // the input is left as it was
    }

    [Fact]
    public void FittedMedianMeanAndStd_OfAColumnWithMissingValues_MatchTheTextbook()
    {
        // 30,000 rows (above the sampled-median size), about 10% missing or NA, a third of them training rows only.
        var rng = new Random(11);
        const int n = 30_000;
        var texts = new string?[n];
        var numbers = new double[n];
        for (int i = 0; i < n; i++)
        {
            numbers[i] = Math.Round(rng.NextDouble() * 1000 - 300, 3);
            texts[i] = rng.Next(10) switch { 0 => null, 1 => "NA", _ => numbers[i].ToString("R", CultureInfo.InvariantCulture) };
        }
        var table = Table.FromTexts("m", [("x", texts), ("y", [.. Enumerable.Range(0, n).Select(i => (string?)(i % 2).ToString(CultureInfo.InvariantCulture))])]);
        int[] train = [.. Enumerable.Range(0, n).Where(i => i % 3 != 1)];

        var p = TabularPreprocessor.Fit(table, "y", TabularTask.Classify, [], [], ["x"], train, ["0", "1"]);

        var present = train.Where(r => texts[r] is not (null or "NA")).Select(r => numbers[r]).ToArray();
        double median = SortedMedian(present);
        var filled = train.Select(r => texts[r] is null or "NA" ? median : numbers[r]).ToArray();
        double mean = filled.Average();
        double std = Math.Sqrt(filled.Select(v => (v - mean) * (v - mean)).Sum() / filled.Length);
        var x = p.Continuous.Single();
        Assert.Equal(median, x.Median);
        Assert.Equal(mean, x.Mean, 1e-9);
        Assert.Equal(std + 1e-7, x.Std, 1e-9);
        Assert.Equal("x_na", p.Categorical.Single().Name);
    }

    [Theory]
    [InlineData("small whole numbers")]
    [InlineData("wide whole numbers")]
    [InlineData("reals")]
    public void CategoryCodes_OfNumbers_AreTheIndexOfTheirTextAmongTheLevels(string kind)
    {
        var rng = new Random(kind.Length);
        string Value() => kind switch
        {
            "small whole numbers" => (rng.Next(12) - 3).ToString(CultureInfo.InvariantCulture),
            "wide whole numbers" => (rng.Next(8) * 50_000 - 7).ToString(CultureInfo.InvariantCulture), // a range beyond the array path
            _ => (rng.Next(9) * 0.25 - 1).ToString("R", CultureInfo.InvariantCulture),
        };
        var values = Enumerable.Range(0, 3000).Select(i => i % 17 == 0 ? null : Value()).ToArray();
        var table = Table.FromTexts("c", [("n", values), ("y", [.. Enumerable.Range(0, 3000).Select(i => (string?)(i % 3 == 0 ? "a" : "b"))])]);
        // Training on the first 1,000 rows only: later rows hold values the vocabulary has not seen.
        var p = TabularPreprocessor.Fit(table, "y", TabularTask.Classify, [], ["n"], [], [.. Enumerable.Range(0, 1000)], ["a", "b"]);
        var levels = p.Categorical.Single().Levels;
        Assert.Equal(TabularPreprocessor.MissingLevel, levels[0]);
        var numbersInOrder = levels.Skip(1).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(numbersInOrder.Order(), numbersInOrder); // sorted numerically
        Assert.Equal(values.Take(1000).OfType<string>().Distinct().Count(), levels.Count - 1);

        var m = p.Transform(table);
        for (int r = 0; r < values.Length; r++)
        {
            string? canonical = values[r] is null ? null : double.Parse(values[r]!, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
            int expected = canonical is null ? 0 : Math.Max(0, levels.ToList().IndexOf(canonical));
            Assert.Equal(expected, m.X[r]);
        }
    }

    [Theory]
    [InlineData(1, 0.2)]
    [InlineData(2, 0.35)]
    public void StratifiedSplit_EqualsGroupingByClassWithLinq(int seed, double pct)
    {
        var rng = new Random(seed);
        int[] rows = [.. Enumerable.Range(0, 5000).Where(_ => rng.Next(10) > 0)];
        int[] strata = [.. rows.Select(_ => rng.Next(10) < 6 ? 2 : rng.Next(4))];

        var (train, valid) = TabularSplit.Random(rows, pct, seed, strata);

        // The reference: groups by class in ascending class order, rows in file order within each, shuffled in turn.
        var reference = new Random(seed);
        var picked = new List<int>();
        foreach (var group in rows.Select((r, i) => (r, s: strata[i])).GroupBy(p => p.s).OrderBy(g => g.Key).Select(g => g.Select(p => p.r).ToArray()))
        {
            reference.Shuffle(group);
            picked.AddRange(group.Take((int)Math.Round(pct * group.Length, MidpointRounding.AwayFromZero)));
        }
        Assert.Equal(picked.Order(), valid);
        Assert.Equal(rows.Except(picked), train);
    }

    [Fact]
    public void TransformInBlocks_EqualsARowByRowComputation_AndTheTensorsHoldTheSameValues()
    {
        // Several blocks' worth of rows, in a shuffled order, with every kind of input.
        var rng = new Random(4);
        const int n = 3 * InputEncoder.BlockRows + 123;
        string?[] colour = new string?[n], size = new string?[n], weight = new string?[n], label = new string?[n];
        for (int i = 0; i < n; i++)
        {
            colour[i] = rng.Next(15) == 0 ? null : $"c{rng.Next(6)}";
            size[i] = rng.Next(4).ToString(CultureInfo.InvariantCulture);
            weight[i] = rng.Next(12) == 0 ? "NA" : (rng.NextDouble() * 50).ToString("R", CultureInfo.InvariantCulture);
            label[i] = rng.Next(3).ToString(CultureInfo.InvariantCulture);
        }
        var table = Table.FromTexts("b", [("colour", colour), ("size", size), ("weight", weight), ("label", label)]);
        int[] train = [.. Enumerable.Range(0, n).Where(i => i % 4 != 0)];
        var p = TabularPreprocessor.Fit(table, "label", TabularTask.Classify, [], ["colour", "size"], ["weight"], train, ["0", "1", "2"]);
        int[] rows = [.. Enumerable.Range(0, n).OrderBy(_ => rng.Next())];

        var m = p.Transform(table, rows);

        Assert.Equal(["colour", "size", "weight_na"], p.Categorical.Select(c => c.Name));
        var stats = p.Continuous.Single();
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            Assert.Equal(colour[r] is null ? 0 : p.Categorical[0].Levels.ToList().IndexOf(colour[r]!), m.X[i * 4]);
            Assert.Equal(p.Categorical[1].Levels.ToList().IndexOf(size[r]!), m.X[i * 4 + 1]);
            bool missing = weight[r] == "NA";
            Assert.Equal(missing ? 2 : 1, m.X[i * 4 + 2]);
            double v = missing ? stats.Median : double.Parse(weight[r]!, CultureInfo.InvariantCulture);
            Assert.Equal((float)((v - stats.Mean) / stats.Std), m.X[i * 4 + 3]);
            Assert.Equal(long.Parse(label[r]!, CultureInfo.InvariantCulture), m.ClassTargets![i]);
        }
        var (x, y, _) = p.TransformToTensors(table, rows);
        using (x)
        using (y)
        {
            Assert.Equal(new long[] { n, 4 }, x.shape);
            Assert.Equal(m.X, x.data<float>().ToArray());
            Assert.Equal(m.ClassTargets, y.data<long>().ToArray());
        }
    }
}
