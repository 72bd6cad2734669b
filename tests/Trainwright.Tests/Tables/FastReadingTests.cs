using System.Globalization;
using System.Text;
using Trainwright.Data.Tables;

namespace Trainwright.Tests.Tables;

/// <summary>
/// The CSV reader's shortcuts (plain decimals without the general parser, the NA screen, the distinct counter, storage
/// sized from the file's first lines) give exactly what the general code gives.
/// </summary>
public class FastReadingTests
{
    private static bool GeneralParse(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static IEnumerable<string> NumberSpellings()
    {
        string[] edges =
        [
            "0", "-0", "+0", "-0.0", "0.", ".5", "-.5", "+.5", "5.", ".", "-", "+", "", "-.", "1.2.3", "1e5", "1E-3", "-1.5e3",
            "00012.500", "9007199254740992", "9007199254740993", "-9007199254740993", "1234567890123456789",
            "12345678901234567890", "0.1234567890123456789", "0.0000000000000000000001", "1.0000000000000000000000",
            "0.1", "0.2", "0.3", "2.675", "1.7976931348623157", "4.9406564584124654", "123456.78901234567", "1_000",
            " 1", "1 ", "1,5", "١", "½", "--1", "+-1", "1-", "0x10", "Infinity", "NaN", "1e400", "∞",
        ];
        foreach (var e in edges) yield return e;
        var rng = new Random(5);
        for (int n = 0; n < 20_000; n++)
        {
            var s = new StringBuilder();
            int sign = rng.Next(4);
            if (sign == 1) s.Append('-');
            if (sign == 2) s.Append('+');
            int digits = 1 + rng.Next(22), point = rng.Next(-1, digits + 1);
            for (int i = 0; i < digits; i++)
            {
                if (i == point) s.Append('.');
                s.Append((char)('0' + rng.Next(10)));
            }
            if (point == digits) s.Append('.');
            yield return s.ToString();
            double v = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 12));
            yield return v.ToString(rng.Next(3) switch { 0 => "R", 1 => "F" + rng.Next(16), _ => "G" + (1 + rng.Next(17)) }, CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public void PlainDecimalsReadBitForBitAsTheGeneralParserReadsThem()
    {
        int taken = 0, total = 0;
        foreach (var s in NumberSpellings())
        {
            total++;
            bool general = GeneralParse(s, out double expected);
            if (PlainDecimal.TryParse(s, out double fast))
            {
                taken++;
                Assert.True(general, $"'{s}' read by the shortcut but not by double.TryParse");
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(fast));
            }
            Assert.Equal(general, TextValues.TryParseNumber(s, out double combined));
            if (general) Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(combined));
        }
        // The shortcut does carry the usual spellings (fixed-point, integers), not just decline everything.
        Assert.True(taken > total / 2, $"shortcut took {taken} of {total}");
        Assert.True(PlainDecimal.TryParse("-12.375", out _) && PlainDecimal.TryParse("7", out _) && PlainDecimal.TryParse(".5", out _));
    }

    [Fact]
    public void NaScreenAgreesWithComparingEveryToken()
    {
        string[][] tokenSets = [[.. TableReadOptions.DefaultNaTokens], ["-", "ınf", "K", "missing"], ["?"]];
        string[] cells =
        [
            "", "na", "NA", "nA", "n/a", "N/a", "null", "NULL", "nan", "NaN", "nano", "1.5", "-", "--", "INF", "inf", "ınf",
            "k", "K", "K", "Missing", "MISSING", "?", "??", "é", "Ñ/A", "level3", "x",
        ];
        foreach (var tokens in tokenSets)
        {
            var na = new NaTokens(tokens);
            var present = tokens.Where(t => t.Trim().Length > 0).ToArray();
            bool emptyIsMissing = tokens.Any(t => t.Trim().Length == 0);
            foreach (var cell in cells)
            {
                bool expected = cell.Length == 0 ? emptyIsMissing : present.Any(t => cell.Equals(t, StringComparison.OrdinalIgnoreCase));
                Assert.True(expected == na.IsMissing(cell), $"cell '{cell}' with tokens [{string.Join(", ", tokens)}]");
            }
        }
    }

    [Fact]
    public void DistinctCounterCountsLikeAHashSetUpToItsCap()
    {
        var rng = new Random(3);
        foreach (int range in new[] { 1, 10, 999, 1000, 1001, 5000, int.MaxValue })
        {
            var counter = new DistinctCounter(TableColumn.DistinctCap);
            var set = new HashSet<long>();
            for (int n = 0; n < 20_000; n++)
            {
                long key = n % 97 == 0 ? long.MinValue : n % 89 == 0 ? 0 : BitConverter.DoubleToInt64Bits(rng.Next(range));
                if (set.Count <= TableColumn.DistinctCap) set.Add(key);
                counter.Add(key);
            }
            Assert.Equal(set.Count, counter.Count);
            Assert.Equal(set.Count > TableColumn.DistinctCap, counter.IsFull);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StorageSizedFromTheFirstLinesHoldsEveryRowWhetherTheGuessIsHighOrLow(bool shortLinesFirst)
    {
        // 64 KiB of short (or long) lines, then as many long (or short) ones: the row estimate is far off either way.
        var cells = new List<string?[]>();
        for (int i = 0; i < 6000; i++)
        {
            bool isShort = (i < 3000) == shortLinesFirst;
            string pad = isShort ? "" : new string('p', 150);
            cells.Add(
            [
                i % 7 == 0 ? null : (i * 0.25 - 100).ToString("R", CultureInfo.InvariantCulture),
                (i % 5).ToString(CultureInfo.InvariantCulture),
                i == 5000 ? "not a number" : (i % 3).ToString(CultureInfo.InvariantCulture), // numeric until row 5000
                i < 4000 ? null : "2024-01-0" + (1 + i % 9), // missing first, then dates
                "w" + (i % 11) + pad,
                i % 13 == 0 ? "NA" : "\"q, " + (i % 4) + "\"",
            ]);
        }
        string[] names = ["real", "small", "late_text", "late_date", "word", "quoted"];
        using var files = new CsvFiles();
        var text = new StringBuilder(string.Join(',', names)).Append('\n');
        foreach (var row in cells) text.AppendJoin(',', row.Select(c => c ?? "")).Append('\n');
        var path = files.Write("sized.csv", text.ToString());
        var estimate = CsvTableReader.EstimateRows(path, names.Length);
        Assert.True(shortLinesFirst ? estimate > cells.Count * 1.5 : estimate < cells.Count, $"estimate {estimate}");

        var read = Table.Read(path);
        var expected = Table.FromTexts("sized.csv", [.. names.Select((n, c) => (n, (IReadOnlyList<string?>)[.. cells.Select(r => r[c]?.Trim('"'))]))]);
        Assert.Equal(cells.Count, read.RowCount);
        Assert.Equal(ColumnKind.Text, read["late_text"].Kind);
        Assert.Equal(ColumnKind.Date, read["late_date"].Kind);
        Assert.Equal(5, read["small"].DistinctCount);
        // A guess far too high is not kept as the table's storage.
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(read["real"].NumberMemory, out var storage));
        Assert.InRange(storage.Array!.Length, cells.Count, 2 * cells.Count + 16);
        foreach (var name in names)
        {
            TableColumn a = read[name], b = expected[name];
            Assert.Equal((b.Kind, b.MissingCount, b.AllIntegers, b.DistinctCount), (a.Kind, a.MissingCount, a.AllIntegers, a.DistinctCount));
            Assert.Equal(b.Levels, a.Levels);
            for (int r = 0; r < read.RowCount; r++)
            {
                Assert.Equal(b.TextAt(r), a.TextAt(r));
                Assert.Equal(b.CodeAt(r), a.CodeAt(r));
                Assert.Equal(BitConverter.DoubleToInt64Bits(b.NumberAt(r)), BitConverter.DoubleToInt64Bits(a.NumberAt(r)));
            }
        }
    }

    private static void AssertSameTable(Table expected, Table actual)
    {
        Assert.Equal(expected.ColumnNames, actual.ColumnNames);
        Assert.Equal(expected.RowCount, actual.RowCount);
        foreach (var name in expected.ColumnNames)
        {
            TableColumn a = actual[name], b = expected[name];
            Assert.Equal((b.Kind, b.MissingCount, b.AllIntegers, b.DistinctCount), (a.Kind, a.MissingCount, a.AllIntegers, a.DistinctCount));
            Assert.Equal(b.Levels, a.Levels);
            for (int r = 0; r < expected.RowCount; r++)
            {
                Assert.Equal(b.CodeAt(r), a.CodeAt(r));
                Assert.Equal(b.DateAt(r), a.DateAt(r));
                Assert.Equal(BitConverter.DoubleToInt64Bits(b.NumberAt(r)), BitConverter.DoubleToInt64Bits(a.NumberAt(r)));
            }
        }
        for (int r = 0; r < expected.RowCount; r++) Assert.Equal(expected.Locate(r), actual.Locate(r));
    }

    /// <summary>
    /// 30,000 rows (four blocks of the threaded fill) with quoted fields holding delimiters, quotes and newlines, NA
    /// tokens, blank lines, spaces to trim, a BOM, and columns that turn from numbers to text and from missing to dates
    /// in a later block.
    /// </summary>
    private static string MixedFile(CsvFiles files, string? ragged = null)
    {
        var rng = new Random(9);
        var text = new StringBuilder("real,int,word,quoted,late_text,late_date,sparse\n");
        for (int i = 0; i < 30_000; i++)
        {
            if (i % 2500 == 7) text.Append('\n'); // a blank line: no row
            string real = rng.NextDouble() < 0.03 ? "NA" : ((rng.NextDouble() - 0.5) * 1e3).ToString(rng.Next(2) == 0 ? "F4" : "R", CultureInfo.InvariantCulture);
            string word = rng.NextDouble() < 0.02 ? "null" : " w" + rng.Next(40) + " ";
            string quoted = rng.Next(4) switch { 0 => "\"a, b\"", 1 => "\"say \"\"hi\"\"\"", 2 => "\"two\nlines\"", _ => "plain" };
            string lateText = i == 17_000 ? "oops" : rng.Next(100).ToString(CultureInfo.InvariantCulture);
            string lateDate = i < 9000 || rng.NextDouble() < 0.1 ? "" : $"2024-0{1 + rng.Next(9)}-1{rng.Next(10)}";
            string sparse = rng.NextDouble() < 0.9 ? "N/A" : "1.50";
            text.Append(CultureInfo.InvariantCulture, $"{real},{rng.Next(12)},{word},{quoted},{lateText},{lateDate},{sparse}\n");
            if (i == 15_000 && ragged is not null) text.Append(ragged).Append('\n');
        }
        return files.Write("mixed.csv", text.ToString(), bom: true);
    }

    [Fact]
    public void ThreadedFillBuildsTheSameTableAsTheRowLoop()
    {
        using var files = new CsvFiles();
        var path = MixedFile(files);
        Assert.True(new FileInfo(path).Length >= CsvTableReader.ParallelBytes); // Table.Read takes the threaded path on several cores
        var options = new TableReadOptions();
        var serial = CsvTableReader.Read(path, options, parallel: false);
        var threaded = CsvTableReader.Read(path, options, parallel: true);
        Assert.Equal(30_000, serial.RowCount);
        Assert.Equal(ColumnKind.Text, serial["late_text"].Kind);
        Assert.Equal(ColumnKind.Date, serial["late_date"].Kind);
        Assert.Contains("two\nlines", serial["quoted"].Levels);
        Assert.Contains("say \"hi\"", serial["quoted"].Levels);
        Assert.Equal(12, serial["int"].DistinctCount);
        AssertSameTable(serial, threaded);
        var custom = new TableReadOptions { NaTokens = ["", "null"], Delimiter = ',' };
        AssertSameTable(CsvTableReader.Read(path, custom, parallel: false), CsvTableReader.Read(path, custom, parallel: true));
    }

    [Fact]
    public void ThreadedFillReportsARaggedRowAsTheRowLoopDoes()
    {
        using var files = new CsvFiles();
        var path = MixedFile(files, ragged: "1,2,3");
        var serial = Assert.Throws<TabularDataException>(() => CsvTableReader.Read(path, new TableReadOptions(), parallel: false));
        var threaded = Assert.Throws<TabularDataException>(() => CsvTableReader.Read(path, new TableReadOptions(), parallel: true));
        Assert.Contains("has 3 fields but the header has 7", serial.Message);
        Assert.Equal(serial.Message, threaded.Message);
    }
}
