using Trainwright.Data.Tables;

namespace Trainwright.Tests.Tables;

/// <summary>Every kind of bad table gives a <see cref="TabularDataException"/> whose one-line message says what and where.</summary>
public class BadInputTests
{
    private static string Fails(Action action)
    {
        var e = Assert.Throws<TabularDataException>(action);
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void RaggedRowNamesItsLineAndFieldCounts()
    {
        using var files = new CsvFiles();
        var path = files.Write("r.csv", "a,b,c\n1,2,3\n\"x\ny\",2,3\n4,5\n");
        var m = Fails(() => Table.Read(path));
        Assert.Contains("line 5", m);
        Assert.Contains("2 fields", m);
        Assert.Contains("header has 3", m);
    }

    [Fact]
    public void NonNumericValueInAContinuousColumnNamesRowColumnAndValue_OrIsCoercedAndCounted()
    {
        using var files = new CsvFiles();
        var rows = string.Concat(Enumerable.Range(0, 40).Select(i => $"{(i == 17 ? "oops" : i.ToString())},{(i % 2 == 0 ? "a" : "b")}\n"));
        var path = files.Write("n.csv", "x,y\n" + rows);
        var m = Fails(() => TabularData.Load(path, new TabularOptions { Target = "y", Continuous = ["x"] }));
        Assert.Contains("'x'", m);
        Assert.Contains("'oops'", m);
        Assert.Contains("row 18 (line 19)", m);
        using var data = TabularData.Load(path, new TabularOptions { Target = "y", Continuous = ["x"], Coerce = true });
        Assert.Equal(1, data.CoercedValues);
        Assert.Contains(data.Warnings, w => w.Contains("1 non-numeric value", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingTargetColumnListsColumnsAndSuggestsTheNearest()
    {
        using var files = new CsvFiles();
        var path = files.Write("t.csv", "age,salary,city\n1,2,x\n3,4,y\n");
        var m = Fails(() => TabularData.Load(path, new TabularOptions { Target = "Salery" }));
        Assert.Contains("did you mean 'salary'", m);
        Assert.Contains("age, salary, city", m);
    }

    [Fact]
    public void RowsWithoutTargetAreDroppedAndCounted()
    {
        using var files = new CsvFiles();
        var rows = string.Concat(Enumerable.Range(0, 30).Select(i => $"{i},{(i % 7 == 3 ? "" : i % 2 == 0 ? "a" : "b")}\n"));
        using var data = TabularData.Load(files.Write("d.csv", "x,y\n" + rows), new TabularOptions { Target = "y" });
        Assert.Equal(4, data.DroppedMissingTarget); // rows 3, 10, 17, 24
        Assert.Equal(26, data.TrainRows.Count + data.ValidRows.Count);
        Assert.Contains("4 rows without target dropped", data.Summary);
    }

    [Fact]
    public void SingleClassIsRefused()
    {
        using var files = new CsvFiles();
        var m = Fails(() => TabularData.Load(files.Write("s.csv", "x,y\n1,a\n2,a\n3,a\n"), new TabularOptions { Target = "y" }));
        Assert.Contains("single class ('a')", m);
    }

    [Fact]
    public void EmptyHeaderOnlyDuplicateAndBinaryFilesAreRefused()
    {
        using var files = new CsvFiles();
        Assert.Contains("empty", Fails(() => Table.Read(files.Write("e.csv", ""))));
        Assert.Contains("empty", Fails(() => Table.Read(files.Write("e2.csv", "\n\n", bom: true))));
        Assert.Contains("no data rows", Fails(() => Table.Read(files.Write("h.csv", "a,b,c\n"))));
        Assert.Contains("'b' appears 2 times", Fails(() => Table.Read(files.Write("d.csv", "a,b,b\n1,2,3\n"))));
        Assert.Contains("binary", Fails(() => Table.Read(files.WriteBytes("b.csv", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]))));
        Assert.Contains("not found", Fails(() => Table.Read(files.File("absent.csv"))));
    }

    [Fact]
    public void IdLikeTextColumnIsWarnedAboutAndIgnored_UnlessDeclared()
    {
        using var files = new CsvFiles();
        var path = files.Classification(200);
        using var data = TabularData.Load(path, new TabularOptions { Target = "y" });
        var id = data.Columns.Single(c => c.Name == "id");
        Assert.Equal(ColumnRole.Ignored, id.Role);
        Assert.Contains(data.Warnings, w => w.StartsWith("'id'", StringComparison.Ordinal) && w.Contains("like an ID", StringComparison.Ordinal));
        using var kept = TabularData.Load(path, new TabularOptions { Target = "y", Categorical = ["id"] });
        Assert.Equal(ColumnRole.Categorical, kept.Columns.Single(c => c.Name == "id").Role);
    }

    [Fact]
    public void BadOptionsAreRefused()
    {
        using var files = new CsvFiles();
        var path = files.Classification(50);
        Assert.Contains("did you mean 'colour'", Fails(() => TabularData.Load(path, new TabularOptions { Target = "y", Categorical = ["color"] })));
        Assert.Contains("both categorical and continuous", Fails(() => TabularData.Load(path, new TabularOptions { Target = "y", Categorical = ["a"], Continuous = ["a"] })));
        Assert.Contains("between 0 and 1", Fails(() => TabularData.Load(path, new TabularOptions { Target = "y", ValidPct = 1 })));
        Assert.Contains("leave none for training", Fails(() => TabularData.Load(path, new TabularOptions { Target = "y", ValidLast = 50 })));
        Assert.Contains("regression needs a numeric target", Fails(() => TabularData.Load(path, new TabularOptions { Target = "y", Task = TabularTask.Regress })));
    }
}
