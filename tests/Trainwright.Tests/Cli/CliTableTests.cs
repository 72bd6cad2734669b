using System.Globalization;
using System.Text;
using System.Text.Json;
using Trainwright.Learning;

namespace Trainwright.Tests.Cli;

/// <summary>
/// Tables through the command: a generated CSV whose target is a known function of its columns trains a classifier
/// and a regressor, evaluate reports the task's metrics, and a bad CSV is one line, exit 1, nothing written.
/// </summary>
public sealed class CliTableTests
{
    /// <summary>
    /// 600 rows: a categorical <c>city</c> (4 levels), whole-number <c>rooms</c>, real <c>area</c> and <c>age</c> (5% missing);
    /// <c>price</c> = 1000·area·(1.5 in the north) + 5000·rooms − 200·age + noise, and <c>size</c> = big when area &gt; 110.
    /// </summary>
    private static string WriteHouses(string path, int rows = 600)
    {
        var random = new Random(7);
        string[] cities = ["north", "south", "east", "west"];
        var text = new StringBuilder("city,rooms,area,age,price,size\n");
        for (int i = 0; i < rows; i++)
        {
            var city = cities[random.Next(4)];
            int rooms = random.Next(1, 7);
            double area = Math.Round(20 + 180 * random.NextDouble(), 1);
            int age = random.Next(0, 81);
            double price = Math.Round(1000 * area * (city == "north" ? 1.5 : 1) + 5000 * rooms - 200 * age + 5000 * (random.NextDouble() - 0.5));
            text.Append(CultureInfo.InvariantCulture, $"{city},{rooms},{area},{(random.NextDouble() < 0.05 ? "" : age)},{price},{(area > 110 ? "big" : "small")}\n");
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void A_csv_trains_a_classifier_and_a_regressor_that_evaluate_reports_with_the_tasks_metrics()
    {
        using var ws = new CliWorkspace();
        var csv = WriteHouses(ws.PathOf("houses.csv"));

        var classOut = ws.PathOf("classify");
        var classify = ws.Run("train", "--data", csv, "--target", "size", "--ignore", "price", "--epochs", "3", "--opt", "adam",
            "--out", classOut, "--no-progress");
        Assert.True(classify.ExitCode == 0, classify.ToString());
        Assert.Contains("480 train, 120 valid rows; classify 'size' (2 classes); 2 categorical, 2 continuous", classify.Stdout, StringComparison.Ordinal);
        Assert.Contains("city (4)", classify.Stdout, StringComparison.Ordinal);      // roles with cardinalities
        Assert.Matches(@"age \[\d+ missing\]", classify.Stdout);                      // and missing counts
        Assert.Contains("tabular model", classify.Stdout, StringComparison.Ordinal);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(classOut, "summary.json"))))
        {
            var final = summary.RootElement.GetProperty("final");
            // size is a threshold on area, a continuous input: far above the 0.5 of guessing.
            Assert.InRange(final.GetProperty("valid_accuracy").GetDouble(), 0.85, 1.0);
            Assert.True(final.TryGetProperty("valid_macro_f1", out _));
            Assert.Equal(["big", "small"], summary.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        }
        var classEval = ws.Run("evaluate", "--checkpoint", Path.Combine(classOut, "checkpoint-last"));
        Assert.True(classEval.ExitCode == 0, classEval.ToString());
        Assert.Contains("120 items of the validation split", classEval.Stdout, StringComparison.Ordinal);
        Assert.Contains("Test balanced accuracy:", classEval.Stdout, StringComparison.Ordinal);
        Assert.Contains("Confusion matrix", classEval.Stdout, StringComparison.Ordinal);

        var finder = ws.Run("lr-find", "--data", csv, "--target", "size", "--ignore", "price", "--max-iter", "10", "--out", ws.PathOf("lr-find"));
        Assert.True(finder.ExitCode == 0, finder.ToString());
        Assert.Contains("Suggested learning rate:", finder.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(ws.PathOf("lr-find"), "lr-find.png")));

        var regressOut = ws.PathOf("regress");
        var regress = ws.Run("train", "--data", csv, "--target", "price", "--ignore", "size", "--epochs", "4", "--opt", "adam",
            "--out", regressOut, "--no-progress");
        Assert.True(regress.ExitCode == 0, regress.ToString());
        Assert.Contains("regress 'price'", regress.Stdout, StringComparison.Ordinal);
        Assert.Contains("Final validation rmse:", regress.Stdout, StringComparison.Ordinal);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(regressOut, "summary.json"))))
        {
            // price is nearly linear in the inputs (noise std ≈ 1,400 against a spread of ≈ 60,000): R² well above 0.
            Assert.InRange(summary.RootElement.GetProperty("final").GetProperty("valid_r2").GetDouble(), 0.5, 1.0);
        }
        Assert.Equal("table", Checkpoint.ReadInfo(Path.Combine(regressOut, "checkpoint-last")).Metadata["data.source"]);

        // Evaluate on another file: every row, through the preprocessing the checkpoint recorded.
        var other = WriteHouses(ws.PathOf("more.csv"), rows: 50);
        var regressEval = ws.Run("evaluate", "--checkpoint", Path.Combine(regressOut, "checkpoint-best"), "--data", other);
        Assert.True(regressEval.ExitCode == 0, regressEval.ToString());
        Assert.Contains("50 items: ", regressEval.Stdout, StringComparison.Ordinal);
        Assert.Contains("50 rows with a target, through the checkpoint's preprocessing", regressEval.Stdout, StringComparison.Ordinal);
        foreach (var metric in new[] { "Test rmse:", "Test mae:", "Test r2:" }) Assert.Contains(metric, regressEval.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Confusion", regressEval.Stdout, StringComparison.Ordinal);
        // more.csv repeats houses.csv's first 50 rows (same seed): through the recorded preprocessing the fit holds; a
        // refit or missing normalisation would not.
        var r2Line = regressEval.Stdout.Split('\n').Single(l => l.StartsWith("Test r2:", StringComparison.Ordinal));
        Assert.InRange(double.Parse(r2Line["Test r2:".Length..], CultureInfo.InvariantCulture), 0.5, 1.0);
    }

    [Fact]
    public void A_ragged_row_a_missing_target_column_or_no_target_is_one_line_exit_1_and_nothing_written()
    {
        using var ws = new CliWorkspace();
        var ragged = ws.PathOf("ragged.csv");
        File.WriteAllText(ragged, "a,b,y\n1,2,x\n3,4\n5,6,z\n");
        var houses = WriteHouses(ws.PathOf("houses.csv"), rows: 40);
        (string[] Args, string Expected)[] cases =
        [
            (["train", "--data", ragged, "--target", "y"], "line 3 has 2 fields but the header has 3"),
            (["train", "--data", houses, "--target", "prise"], "did you mean 'price'"),
            (["train", "--data", houses], "name the column to predict with --target COL; its columns are city, rooms, area, age, price, size"),
            (["train", "--data", houses, "--target", "price", "--model", "cnn"], "tables train --model tabular"),
            (["lr-find", "--data", ragged, "--target", "y"], "line 3 has 2 fields"),
        ];
        foreach (var (args, expected) in cases)
        {
            var result = ws.Run([.. args, "--out", ws.PathOf("never")]);
            Assert.True(result.ExitCode == 1, string.Join(' ', args) + "\n" + result);
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.True(line.StartsWith("error: ", StringComparison.Ordinal) && line.Contains(expected, StringComparison.Ordinal), string.Join(' ', args) + "\n" + result);
            Assert.False(Directory.Exists(ws.PathOf("never")), string.Join(' ', args));
        }
    }
}
