using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trainwright.Data.Tables;

/// <summary>
/// The fitted preprocessing of a table, as plain data: date columns expanded into parts, Categorify (vocabularies with a
/// reserved index for missing and unseen values), FillMissing (training medians plus <c>_na</c> indicator columns) and
/// Normalize (training means and standard deviations), and the target's classes or scaling. Fitted on the training
/// split only (<see cref="Fit"/>); stored as JSON with a model (<see cref="ToJson"/>) so prediction runs
/// <see cref="Transform"/>, the very code training used.
/// </summary>
public sealed record TabularPreprocessor
{
    /// <summary>The reserved level at index 0 of every vocabulary: missing, or not seen in training.</summary>
    public const string MissingLevel = "#na#";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Version of this record's layout, for readers of stored files.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The target column's name.</summary>
    public required string Target { get; init; }

    /// <summary>Classification or regression.</summary>
    public required TabularTask Task { get; init; }

    /// <summary>Date columns replaced by their <see cref="DateParts"/> before anything else.</summary>
    public IReadOnlyList<string> DateColumns { get; init; } = [];

    /// <summary>Categorical inputs in model order (their codes come first in each row).</summary>
    public IReadOnlyList<CategoricalColumn> Categorical { get; init; } = [];

    /// <summary>Continuous inputs in model order (after the codes).</summary>
    public IReadOnlyList<ContinuousColumn> Continuous { get; init; } = [];

    /// <summary>Class names in index order (classification), else empty.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>The regression target's scaling, else null.</summary>
    public TargetScaling? TargetScaling { get; init; }

    /// <summary>Treat non-numeric values in continuous columns as missing (and count them) instead of failing.</summary>
    public bool Coerce { get; init; }

    /// <summary>Inputs per row: one code per categorical column plus one value per continuous column.</summary>
    [JsonIgnore]
    public int InputWidth => Categorical.Count + Continuous.Count;

    /// <summary>
    /// Fits the preprocessing on <paramref name="trainRows"/> of <paramref name="table"/> only: vocabularies, medians,
    /// means, standard deviations and the target scaling all come from those rows.
    /// </summary>
    /// <param name="table">The table as read.</param>
    /// <param name="target">Target column.</param>
    /// <param name="task">Classification or regression.</param>
    /// <param name="dateColumns">Date columns to expand into parts.</param>
    /// <param name="categorical">Categorical inputs (may name date parts).</param>
    /// <param name="continuous">Continuous inputs (may name date parts).</param>
    /// <param name="trainRows">The training split's rows.</param>
    /// <param name="classes">Class names in index order (classification): the label space, from every labelled row.</param>
    /// <param name="coerce">Treat non-numeric values in continuous columns as missing.</param>
    /// <param name="logTarget">Regression on log(1 + target).</param>
    /// <exception cref="TabularDataException">A continuous column holds text (without <paramref name="coerce"/>), or the target cannot be scaled.</exception>
    public static TabularPreprocessor Fit(Table table, string target, TabularTask task, IReadOnlyList<string> dateColumns,
        IReadOnlyList<string> categorical, IReadOnlyList<string> continuous, IReadOnlyList<int> trainRows,
        IReadOnlyList<string> classes, bool coerce = false, bool logTarget = false)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(trainRows);
        if (trainRows.Count == 0) throw new TabularDataException($"{table.Source}: the training split is empty; lower the validation share.");
        var columns = new ColumnLookup(table, dateColumns);
        var cats = new List<CategoricalColumn>();
        foreach (var name in categorical) cats.Add(new CategoricalColumn(name, FitLevels(columns[name], trainRows)));
        var conts = new List<ContinuousColumn>();
        var indicators = new List<CategoricalColumn>();
        foreach (var name in continuous)
        {
            var values = NumericValues(table, columns[name], coerce, trainRows, out _);
            var present = new double[trainRows.Count];
            int count = 0;
            foreach (int r in trainRows) if (!double.IsNaN(values(r))) present[count++] = values(r);
            double median = LevelCoder.Median(present.AsSpan(0, count));
            if (double.IsNaN(median)) median = 0;
            var (mean, std) = MeanStd(trainRows.Select(r => double.IsNaN(values(r)) ? median : values(r)));
            conts.Add(new ContinuousColumn(name, median, mean, std + 1e-7));
            if (count < trainRows.Count) indicators.Add(new CategoricalColumn($"{name}_na", [MissingLevel, "false", "true"], name));
        }
        TargetScaling? scaling = null;
        if (task == TabularTask.Regress)
        {
            var y = RegressionTargets(table, table[target], trainRows, logTarget);
            var (mean, std) = MeanStd(y);
            scaling = new TargetScaling(mean, std + 1e-7, logTarget);
        }
        return new TabularPreprocessor
        {
            Target = target,
            Task = task,
            DateColumns = [.. dateColumns],
            Categorical = [.. cats, .. indicators],
            Continuous = conts,
            Classes = task == TabularTask.Classify ? [.. classes] : [],
            TargetScaling = scaling,
            Coerce = coerce,
        };
    }

    /// <summary>
    /// Preprocesses <paramref name="rows"/> (default: all) of <paramref name="table"/> with the fitted statistics. The
    /// table must have every input column; the target is read only when <paramref name="withTarget"/>.
    /// </summary>
    /// <exception cref="TabularDataException">An input column is missing, a continuous value is not a number, or a target is missing or unknown.</exception>
    public TabularMatrix Transform(Table table, IReadOnlyList<int>? rows = null, bool withTarget = true)
    {
        ArgumentNullException.ThrowIfNull(table);
        rows ??= Enumerable.Range(0, table.RowCount).ToArray();
        var columns = new ColumnLookup(table, DateColumns);
        var missingInputs = Categorical.Where(c => c.IndicatorOf is null).Select(c => c.Name).Concat(Continuous.Select(c => c.Name))
            .Where(n => !columns.Has(n)).ToList();
        if (missingInputs.Count > 0)
            throw new TabularDataException($"{table.Source}: the model needs column{(missingInputs.Count > 1 ? "s" : "")} {string.Join(", ", missingInputs.Select(n => $"'{n}'"))}, which the table lacks; it has {string.Join(", ", table.ColumnNames)}.");
        int n = rows.Count, width = InputWidth;
        var x = new float[(long)n * width];
        int coerced = 0;
        for (int j = 0; j < Categorical.Count; j++)
        {
            var cat = Categorical[j];
            if (cat.IndicatorOf is not null)
            {
                var values = NumericValues(table, columns[cat.IndicatorOf], Coerce, rows, out _);
                for (int i = 0; i < n; i++) x[(long)i * width + j] = double.IsNaN(values(rows[i])) ? 2 : 1;
            }
            else
            {
                var code = Coder(columns[cat.Name], cat.Levels);
                for (int i = 0; i < n; i++) x[(long)i * width + j] = code(rows[i]);
            }
        }
        for (int k = 0; k < Continuous.Count; k++)
        {
            var cont = Continuous[k];
            var values = NumericValues(table, columns[cont.Name], Coerce, rows, out int c);
            coerced += c;
            int j = Categorical.Count + k;
            for (int i = 0; i < n; i++)
            {
                double v = values(rows[i]);
                x[(long)i * width + j] = (float)(((double.IsNaN(v) ? cont.Median : v) - cont.Mean) / cont.Std);
            }
        }
        long[]? classTargets = null;
        float[]? targets = null;
        if (withTarget)
        {
            if (!table.TryGetColumn(Target, out var targetColumn))
                throw new TabularDataException($"{table.Source}: the target column '{Target}' is missing; it has {string.Join(", ", table.ColumnNames)}.");
            if (Task == TabularTask.Classify) classTargets = ClassTargets(table, targetColumn, rows);
            else targets = [.. RegressionTargets(table, targetColumn, rows, TargetScaling!.Log).Select(v => (float)((v - TargetScaling.Mean) / TargetScaling.Std))];
        }
        return new TabularMatrix(x, n, width, classTargets, targets, coerced);
    }

    /// <summary>This preprocessing as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads preprocessing written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such JSON.</exception>
    public static TabularPreprocessor FromJson(string json) =>
        JsonSerializer.Deserialize<TabularPreprocessor>(json, Json) ?? throw new JsonException("The JSON holds null, not tabular preprocessing.");

    /// <summary>The class index of each row's target.</summary>
    private long[] ClassTargets(Table table, TableColumn column, IReadOnlyList<int> rows)
    {
        var code = LevelCoder.For(column, Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal));
        var result = new long[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            result[i] = code(rows[i]);
            if (result[i] >= 0) continue;
            var text = column.TextAt(rows[i])
                ?? throw new TabularDataException($"{table.Source}: {table.Locate(rows[i])} has no value in target column '{Target}'.");
            throw new TabularDataException($"{table.Source}: {table.Locate(rows[i])} has class '{text}' in '{Target}', which the model does not know (it knows {string.Join(", ", Classes.Take(10))}{(Classes.Count > 10 ? ", …" : "")}).");
        }
        return result;
    }

    /// <summary>The (logged) regression targets of <paramref name="rows"/>.</summary>
    internal static double[] RegressionTargets(Table table, TableColumn column, IReadOnlyList<int> rows, bool log)
    {
        if (column.Kind != ColumnKind.Numeric)
            throw new TabularDataException($"{table.Source}: regression needs a numeric target, but '{column.Name}' holds {Describe(column.Kind)}; use classification or fix the column.");
        var y = new double[rows.Count];
        for (int i = 0; i < y.Length; i++)
        {
            double v = column.NumberAt(rows[i]);
            if (double.IsNaN(v)) throw new TabularDataException($"{table.Source}: {table.Locate(rows[i])} has no value in target column '{column.Name}'.");
            if (log && !(v > -1))
                throw new TabularDataException($"{table.Source}: a log target needs values above −1, but {table.Locate(rows[i])} has {v.ToString(CultureInfo.InvariantCulture)} in '{column.Name}'; drop the log option.");
            y[i] = log ? Math.Log(1 + v) : v;
        }
        return y;
    }

    /// <summary>
    /// A column's numbers as a function of the row (NaN for missing). A text column is an error naming the first
    /// non-number among <paramref name="rows"/>, or, with <paramref name="coerce"/>, reads its non-numbers as missing and counts them.
    /// </summary>
    private static Func<int, double> NumericValues(Table table, TableColumn column, bool coerce, IReadOnlyList<int> rows, out int coerced)
    {
        coerced = 0;
        switch (column.Kind)
        {
            case ColumnKind.Numeric: return column.NumberAt;
            case ColumnKind.Empty: return _ => double.NaN;
        }
        // Text (or dates) in a continuous column: numbers among the levels still count as numbers.
        double[] levelValues = column.Kind == ColumnKind.Text
            ? [.. column.Levels.Select(l => TextValues.TryParseNumber(l, out double d) ? d : double.NaN)]
            : [];
        Func<int, double> read = column.Kind == ColumnKind.Text
            ? r => column.CodeAt(r) is int code and >= 0 ? levelValues[code] : double.NaN
            : _ => double.NaN;
        foreach (int r in rows)
        {
            if (column.IsMissing(r) || !double.IsNaN(read(r))) continue;
            if (!coerce)
                throw new TabularDataException(
                    $"{table.Source}: continuous column '{column.Name}' has the non-numeric value '{column.TextAt(r)}' in {table.Locate(r)}; fix it, mark it missing, declare the column categorical, or coerce such values to missing.");
            coerced++;
        }
        return read;
    }

    /// <summary>The training split's distinct values of a column, sorted (numerically when all are numbers), after #na#.</summary>
    private static List<string> FitLevels(TableColumn column, IReadOnlyList<int> rows)
    {
        var sorted = LevelCoder.SortedDistinct(column, rows);
        sorted.Remove(MissingLevel);
        return [MissingLevel, .. sorted];
    }

    /// <summary>The code of each row's value in <paramref name="levels"/>; 0 for missing or unseen.</summary>
    private static Func<int, float> Coder(TableColumn column, IReadOnlyList<string> levels)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 1; i < levels.Count; i++) index[levels[i]] = i;
        var code = LevelCoder.For(column, index);
        return r => Math.Max(0, code(r));
    }

    /// <summary>Mean and population standard deviation (Welford, one pass).</summary>
    internal static (double Mean, double Std) MeanStd(IEnumerable<double> values)
    {
        double mean = 0, m2 = 0;
        long n = 0;
        foreach (double v in values)
        {
            n++;
            double d = v - mean;
            mean += d / n;
            m2 += d * (v - mean);
        }
        return n == 0 ? (0, 0) : (mean, Math.Sqrt(m2 / n));
    }

    internal static string Describe(ColumnKind kind) => kind switch
    {
        ColumnKind.Empty => "no values",
        ColumnKind.Date => "dates",
        ColumnKind.Text => "text",
        _ => "numbers",
    };
}
