using System.Text;
using Trainwright.Data.Tables;

namespace Trainwright.Tests.Tables;

public class SplitTests
{
    private static Table Skewed(int rows)
    {
        var y = Enumerable.Range(0, rows).Select(i => (string?)(i % 10 < 7 ? "common" : i % 10 < 9 ? "middle" : "rare")).ToArray();
        var x = Enumerable.Range(0, rows).Select(i => (string?)(i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var flag = Enumerable.Range(0, rows).Select(i => (string?)(i % 4 == 0 ? "valid" : "train")).ToArray();
        return Table.FromTexts("s", [("x", x), ("y", y), ("flag", flag)]);
    }

    [Fact]
    public void RandomSplitIsStratifiedAndSeeded()
    {
        var table = Skewed(1000);
        using var a = TabularData.FromTable(table, new TabularOptions { Target = "y", Ignore = ["flag"], Seed = 1 });
        var perClass = a.ValidRows.GroupBy(r => table["y"].TextAt(r)).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(140, perClass["common"]);
        Assert.Equal(40, perClass["middle"]);
        Assert.Equal(20, perClass["rare"]);
        Assert.Equal(800, a.TrainRows.Count);
        Assert.Empty(a.TrainRows.Intersect(a.ValidRows));
        using var again = TabularData.FromTable(table, new TabularOptions { Target = "y", Ignore = ["flag"], Seed = 1 });
        using var other = TabularData.FromTable(table, new TabularOptions { Target = "y", Ignore = ["flag"], Seed = 2 });
        Assert.Equal(a.ValidRows, again.ValidRows);
        Assert.NotEqual(a.ValidRows, other.ValidRows);
    }

    [Fact]
    public void ValidColumnAndLastRowsSplits()
    {
        var table = Skewed(100);
        using var byColumn = TabularData.FromTable(table, new TabularOptions { Target = "y", ValidCol = "flag" });
        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 4 == 0), byColumn.ValidRows);
        Assert.Equal(ColumnRole.Split, byColumn.Columns.Single(c => c.Name == "flag").Role);
        using var last = TabularData.FromTable(table, new TabularOptions { Target = "y", Ignore = ["flag"], ValidLast = 15 });
        Assert.Equal(Enumerable.Range(85, 15), last.ValidRows);
        Assert.Equal(Enumerable.Range(0, 85), last.TrainRows);
    }

    [Fact]
    public void ValidColumnWithAnUnknownValueIsRefused()
    {
        var table = Table.FromTexts("v", [("x", ["1", "2", "3"]), ("y", ["a", "b", "a"]), ("flag", ["train", "maybe", "valid"])]);
        var e = Assert.Throws<TabularDataException>(() => TabularData.FromTable(table, new TabularOptions { Target = "y", ValidCol = "flag" }));
        Assert.Contains("'maybe' in row 2", e.Message);
    }
}
