using System.Globalization;
using System.Text;
using Trainwright.Data.Tables;

namespace Trainwright.Tests.Tables;

public class RoleInferenceTests
{
    [Fact]
    public void InfersRolesCardinalitiesMissingAndTheTask()
    {
        using var files = new CsvFiles();
        using var data = TabularData.Load(files.Classification(200), new TabularOptions { Target = "y" });
        var roles = data.Columns.ToDictionary(c => c.Name);
        Assert.Equal(ColumnRole.Continuous, roles["a"].Role);
        Assert.Equal(ColumnRole.Continuous, roles["b"].Role);
        Assert.Equal(ColumnRole.Categorical, roles["colour"].Role);
        Assert.Equal(ColumnRole.Categorical, roles["size"].Role); // whole numbers, 3 values < 5% of 200 rows
        Assert.Equal("whole numbers, 3 values", roles["size"].Reason);
        Assert.Equal(ColumnRole.Ignored, roles["id"].Role);
        Assert.Equal(ColumnRole.Target, roles["y"].Role);
        Assert.Equal(3, roles["colour"].Cardinality);
        Assert.True(roles["b"].Missing > 0);
        Assert.Equal(TabularTask.Classify, data.Task);
        Assert.Equal(["hi", "lo"], data.Classes);
        // Printable: a summary line, then one line per role.
        var text = data.Describe();
        Assert.StartsWith("class1.csv: ", text);
        Assert.Contains("classify 'y' (2 classes)", text);
        Assert.Contains($"continuous   a, b [{roles["b"].Missing} missing]", text);
        Assert.Contains("categorical  colour (3), size (3)", text);
        Assert.Contains("ignored      id (ID-like)", text);
        // As data for the model: colour and size codes (+ #na#), then b_na since b had missing values in training.
        Assert.Equal(["colour", "size", "b_na"], data.Preprocessor.Categorical.Select(c => c.Name));
        Assert.Equal([4, 4, 3], data.ModelSettings().Cardinalities);
    }

    [Fact]
    public void RealTargetIsRegression_FewIntegersIsClassification_AndTheTaskCanBeForced()
    {
        var rng = new Random(1);
        var x = Enumerable.Range(0, 100).Select(_ => (string?)rng.NextDouble().ToString("R", CultureInfo.InvariantCulture)).ToArray();
        var real = x.Select(v => (string?)(double.Parse(v!, CultureInfo.InvariantCulture) * 3).ToString("R", CultureInfo.InvariantCulture)).ToArray();
        var ints = Enumerable.Range(0, 100).Select(i => (string?)(i % 4).ToString(CultureInfo.InvariantCulture)).ToArray();
        var table = Table.FromTexts("t", [("x", x), ("real", real), ("ints", ints)]);
        using (var r = TabularData.FromTable(table, new TabularOptions { Target = "real" })) Assert.Equal(TabularTask.Regress, r.Task);
        using (var c = TabularData.FromTable(table, new TabularOptions { Target = "ints", Ignore = ["real"] }))
        {
            Assert.Equal(TabularTask.Classify, c.Task);
            Assert.Equal(["0", "1", "2", "3"], c.Classes);
        }
        using (var f = TabularData.FromTable(table, new TabularOptions { Target = "ints", Ignore = ["real"], Task = TabularTask.Regress }))
            Assert.Equal(TabularTask.Regress, f.Task);
    }

    [Fact]
    public void DatesBecomeParts_WhoseRolesAreInferredLikeNumbers()
    {
        var text = new StringBuilder("when,v,y\n");
        var start = new DateTime(2023, 1, 1);
        for (int i = 0; i < 600; i++)
            text.Append(CultureInfo.InvariantCulture, $"{start.AddDays(i * 1.2):yyyy-MM-dd},{i % 5},{(i % 3 == 0 ? "a" : "b")}\n");
        text.Append("NA,1,a\n");
        using var files = new CsvFiles();
        using var data = TabularData.Load(files.Write("d.csv", text.ToString()), new TabularOptions { Target = "y" });
        var roles = data.Columns.ToDictionary(c => c.Name, c => c.Role);
        Assert.Equal(ColumnRole.Date, roles["when"]);
        Assert.Equal(ColumnRole.Categorical, roles["when_Year"]);      // 2 values
        Assert.Equal(ColumnRole.Categorical, roles["when_Month"]);     // 12 values
        Assert.Equal(ColumnRole.Categorical, roles["when_Dayofweek"]); // 7 values
        Assert.Equal(ColumnRole.Continuous, roles["when_Day"]);        // 31 values > 20
        Assert.Equal(ColumnRole.Continuous, roles["when_Dayofyear"]);
        Assert.Equal(ColumnRole.Continuous, roles["when_Elapsed"]);
        Assert.Equal(1, data.Columns.Single(c => c.Name == "when_Elapsed").Missing);
        // The parts' values: 2023-01-01 was a Sunday (fastai's Dayofweek: Monday = 0, so 6).
        var table = data.Table;
        var parts = DateParts.Expand(table, table["when"]);
        Assert.Equal([2023, 1, 1, 6, 1, (new DateTime(2023, 1, 1) - DateTime.UnixEpoch).TotalDays], parts.Select(p => p.NumberAt(0)));
    }
}
