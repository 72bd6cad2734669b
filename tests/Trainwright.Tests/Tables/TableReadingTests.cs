using Parquet;
using Parquet.Schema;
using Trainwright.Data.Tables;

namespace Trainwright.Tests.Tables;

public class TableReadingTests
{
    private static readonly int[] Ints = [3, 4, 5];

    [Theory]
    [InlineData(",")]
    [InlineData(";")]
    [InlineData("\t")]
    public void DetectsTheDelimiterFromTheHeader(string d)
    {
        using var files = new CsvFiles();
        var path = files.Write("t.csv", $"a{d}b{d}c\n1.5{d}x{d}2\n-3e2{d}y{d}4\n");
        var table = Table.Read(path);
        Assert.Equal(["a", "b", "c"], table.ColumnNames);
        Assert.Equal(2, table.RowCount);
        Assert.Equal(ColumnKind.Numeric, table["a"].Kind);
        Assert.Equal(-300, table["a"].NumberAt(1));
        Assert.Equal(ColumnKind.Text, table["b"].Kind);
        Assert.Equal("y", table["b"].TextAt(1));
    }

    [Fact]
    public void ReadsQuotedFieldsWithDelimitersQuotesAndNewlinesAndABom()
    {
        using var files = new CsvFiles();
        var path = files.Write("q.csv", "name,note,v\n\"Smith, J\",\"said \"\"hi\"\"\",1\n\"two\nlines\",plain,2\n", bom: true);
        var table = Table.Read(path);
        Assert.Equal("name", table.Columns[0].Name); // no BOM in the first name
        Assert.Equal("Smith, J", table["name"].TextAt(0));
        Assert.Equal("said \"hi\"", table["note"].TextAt(0));
        Assert.Equal("two\nlines", table["name"].TextAt(1));
        Assert.Equal(2, table["v"].NumberAt(1));
    }

    [Fact]
    public void NaTokensAreMissingAndConfigurable()
    {
        using var files = new CsvFiles();
        var path = files.Write("na.csv", "a,b\n1,NA\n,n/a\nnull,x\nNaN,-\n5,y\n");
        var table = Table.Read(path);
        Assert.Equal(3, table["a"].MissingCount); // empty, null, NaN
        Assert.Equal(2, table["b"].MissingCount);
        Assert.Equal("-", table["b"].TextAt(3));
        var custom = Table.Read(path, new TableReadOptions { NaTokens = ["-", ""] });
        Assert.Equal(1, custom["a"].MissingCount); // only the empty cell
        Assert.Equal(ColumnKind.Text, custom["a"].Kind); // "null" and "NaN" are now text
        Assert.True(custom["b"].IsMissing(3));
    }

    [Fact]
    public void NumbersAreCultureInvariantAndCategoriesSpelledCanonically()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            using var files = new CsvFiles();
            // "1,5" would be 1.5 in German; here it is text (and the file is ;-separated).
            var path = files.Write("c.csv", "x;mixed;when\n1.5;1.50;2024-01-31\n2;abc;2024-02-29T12:00:00\n3;1.5;\n");
            var table = Table.Read(path);
            Assert.Equal(1.5, table["x"].NumberAt(0));
            Assert.Equal(ColumnKind.Text, table["mixed"].Kind);
            Assert.Equal(table["mixed"].CodeAt(0), table["mixed"].CodeAt(2)); // "1.50" and "1.5" are one category
            Assert.Equal("1.5", table["mixed"].TextAt(0));
            Assert.Equal(ColumnKind.Date, table["when"].Kind);
            Assert.Equal(new DateTime(2024, 2, 29, 12, 0, 0), table["when"].DateAt(1));
        }
        finally { Thread.CurrentThread.CurrentCulture = previous; }
    }

    [Fact]
    public async Task ParquetReadsLikeTheSameCsv()
    {
        using var files = new CsvFiles();
        var csv = Table.Read(files.Write("p.csv", "n,i,s,d\n1.5,3,red,2024-01-02\n,4,,2024-03-04\n-2,5,blue,\n"));
        var path = files.File("p.parquet");
        var n = new DataField<double?>("n");
        var i = new DataField<int>("i");
        var s = new DataField<string>("s");
        var d = new DataField<DateTime?>("d");
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(n, i, s, d), stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<double>(n, new double?[] { 1.5, null, -2 });
            await group.WriteAsync<int>(i, Ints);
            await group.WriteAsync(s, new string?[] { "red", null, "blue" });
            await group.WriteAsync<DateTime>(d, new DateTime?[] { new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 3, 4, 0, 0, 0, DateTimeKind.Utc), null });
        }
        var parquet = Table.Read(path);
        Assert.Equal(csv.ColumnNames, parquet.ColumnNames);
        Assert.Equal(csv.RowCount, parquet.RowCount);
        foreach (var name in csv.ColumnNames)
        {
            Assert.Equal(csv[name].Kind, parquet[name].Kind);
            for (int r = 0; r < csv.RowCount; r++) Assert.Equal(csv[name].TextAt(r), parquet[name].TextAt(r));
        }
    }
}
