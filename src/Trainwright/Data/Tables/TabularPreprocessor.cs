using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

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
        int[] rows = trainRows as int[] ?? [.. trainRows];
        var columns = new ColumnLookup(table, dateColumns);
        var catColumns = categorical.Select(n => columns[n]).ToArray();
        var contColumns = continuous.Select(n => columns[n]).ToArray();
        var cats = new CategoricalColumn[catColumns.Length];
        var conts = new ContinuousColumn[contColumns.Length];
        var hadMissing = new bool[contColumns.Length];
        // Each column is fitted on its own; errors surface in column order whatever ran first.
        ColumnParallel.For(cats.Length + conts.Length, k =>
        {
            if (k < cats.Length)
            {
                cats[k] = new CategoricalColumn(categorical[k], FitLevels(catColumns[k], rows));
                return;
            }
            int j = k - cats.Length;
            var values = NumericValues(table, contColumns[j], coerce, rows, out _).Span;
            var present = ArrayPool<double>.Shared.Rent(rows.Length);
            int count = 0;
            foreach (int r in rows)
            {
                double v = values[r];
                if (!double.IsNaN(v)) present[count++] = v;
            }
            double median = ColumnStatistics.Median(present.AsSpan(0, count));
            if (double.IsNaN(median)) median = 0;
            var (mean, std) = ColumnStatistics.MeanStd(present.AsSpan(0, count), median, rows.Length - count);
            ArrayPool<double>.Shared.Return(present);
            conts[j] = new ContinuousColumn(continuous[j], median, mean, std + 1e-7);
            hadMissing[j] = count < rows.Length;
        });
        var indicators = conts.Where((_, j) => hadMissing[j]).Select(c => new CategoricalColumn($"{c.Name}_na", [MissingLevel, "false", "true"], c.Name));
        TargetScaling? scaling = null;
        if (task == TabularTask.Regress)
        {
            var y = RegressionTargets(table, table[target], rows, logTarget);
            var (mean, std) = ColumnStatistics.MeanStd(y);
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
        int[] picked = rows is null ? [.. Enumerable.Range(0, table.RowCount)] : rows as int[] ?? [.. rows];
        var (encoders, coerced) = Encoders(table, picked);
        var (classTargets, targets) = withTarget ? Targets(table, picked) : (null, null);
        var x = new float[(long)picked.Length * InputWidth];
        Encode(encoders, picked, x);
        return new TabularMatrix(x, picked.Length, InputWidth, classTargets, targets, coerced);
    }

    /// <summary>
    /// <see cref="Transform"/> straight into new tensors the caller owns (inputs, targets), without an intermediate array.
    /// </summary>
    /// <exception cref="TabularDataException">As for <see cref="Transform"/>.</exception>
    internal unsafe (Tensor X, Tensor Y, int Coerced) TransformToTensors(Table table, int[] rows)
    {
        var (encoders, coerced) = Encoders(table, rows);
        var (classTargets, targets) = Targets(table, rows);
        var x = empty([rows.Length, InputWidth], ScalarType.Float32);
        try
        {
            if (rows.Length > 0 && InputWidth > 0)
            {
                float* start;
                using (NewDisposeScope()) start = (float*)RowCopy.BasePointer(x);
                Encode(encoders, rows, new Span<float>(start, checked(rows.Length * InputWidth)));
            }
            var y = classTargets is not null ? tensor(classTargets, [rows.Length]) : tensor(targets!, [rows.Length]);
            return (x, y, coerced);
        }
        catch
        {
            x.Dispose();
            throw;
        }
    }

    /// <summary>One encoder per input, in model order, after checking that the table has every input column.</summary>
    private (InputEncoder[] Encoders, int Coerced) Encoders(Table table, int[] rows)
    {
        var columns = new ColumnLookup(table, DateColumns);
        var missingInputs = Categorical.Where(c => c.IndicatorOf is null).Select(c => c.Name).Concat(Continuous.Select(c => c.Name))
            .Where(n => !columns.Has(n)).ToList();
        if (missingInputs.Count > 0)
            throw new TabularDataException($"{table.Source}: the model needs column{(missingInputs.Count > 1 ? "s" : "")} {string.Join(", ", missingInputs.Select(n => $"'{n}'"))}, which the table lacks; it has {string.Join(", ", table.ColumnNames)}.");
        int coerced = 0;
        var values = new Dictionary<string, ReadOnlyMemory<double>>(StringComparer.Ordinal);
        foreach (var cont in Continuous)
        {
            values[cont.Name] = NumericValues(table, columns[cont.Name], Coerce, rows, out int c);
            coerced += c;
        }
        var encoders = new InputEncoder[InputWidth];
        for (int j = 0; j < Categorical.Count; j++)
        {
            var cat = Categorical[j];
            encoders[j] = cat.IndicatorOf is { } of
                ? new InputEncoder.MissingFlag(values.TryGetValue(of, out var v) ? v : NumericValues(table, columns[of], Coerce, rows, out _))
                : new InputEncoder.Category(LevelCoder.For(columns[cat.Name], cat.Levels));
        }
        for (int k = 0; k < Continuous.Count; k++) encoders[Categorical.Count + k] = new InputEncoder.Continuous(values[Continuous[k].Name], Continuous[k]);
        return (encoders, coerced);
    }

    /// <summary>Runs <paramref name="encoders"/> over <paramref name="rows"/> block by block (blocks in parallel) into <paramref name="x"/>.</summary>
    private static unsafe void Encode(InputEncoder[] encoders, int[] rows, Span<float> x)
    {
        int width = encoders.Length;
        if (rows.Length == 0 || width == 0) return;
        int blocks = (rows.Length + InputEncoder.BlockRows - 1) / InputEncoder.BlockRows;
        fixed (float* start = x)
        {
            nint address = (nint)start;
            ColumnParallel.For(blocks, b =>
            {
                int first = b * InputEncoder.BlockRows, count = Math.Min(InputEncoder.BlockRows, rows.Length - first);
                var block = new Span<float>((float*)address + (long)first * width, count * width);
                var blockRows = rows.AsSpan(first, count);
                for (int j = 0; j < width; j++) encoders[j].Encode(blockRows, block, width, j);
            });
        }
    }

    /// <summary>The targets of <paramref name="rows"/>: class indices, or the scaled regression values.</summary>
    private (long[]? Classes, float[]? Values) Targets(Table table, int[] rows)
    {
        if (!table.TryGetColumn(Target, out var targetColumn))
            throw new TabularDataException($"{table.Source}: the target column '{Target}' is missing; it has {string.Join(", ", table.ColumnNames)}.");
        if (Task == TabularTask.Classify) return (ClassTargets(table, targetColumn, rows), null);
        var y = RegressionTargets(table, targetColumn, rows, TargetScaling!.Log);
        var scaled = new float[y.Length];
        for (int i = 0; i < y.Length; i++) scaled[i] = (float)((y[i] - TargetScaling.Mean) / TargetScaling.Std);
        return (null, scaled);
    }

    /// <summary>This preprocessing as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads preprocessing written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such JSON.</exception>
    public static TabularPreprocessor FromJson(string json) =>
        JsonSerializer.Deserialize<TabularPreprocessor>(json, Json) ?? throw new JsonException("The JSON holds null, not tabular preprocessing.");

    /// <summary>The class index of each row's target.</summary>
    private long[] ClassTargets(Table table, TableColumn column, int[] rows)
    {
        var codes = new int[rows.Length];
        LevelCoder.For(column, Classes).Codes(rows, codes);
        var result = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            result[i] = codes[i];
            if (codes[i] >= 0) continue;
            var text = column.TextAt(rows[i])
                ?? throw new TabularDataException($"{table.Source}: {table.Locate(rows[i])} has no value in target column '{Target}'.");
            throw new TabularDataException($"{table.Source}: {table.Locate(rows[i])} has class '{text}' in '{Target}', which the model does not know (it knows {string.Join(", ", Classes.Take(10))}{(Classes.Count > 10 ? ", …" : "")}).");
        }
        return result;
    }

    /// <summary>The (logged) regression targets of <paramref name="rows"/>.</summary>
    internal static double[] RegressionTargets(Table table, TableColumn column, ReadOnlySpan<int> rows, bool log)
    {
        if (column.Kind != ColumnKind.Numeric)
            throw new TabularDataException($"{table.Source}: regression needs a numeric target, but '{column.Name}' holds {Describe(column.Kind)}; use classification or fix the column.");
        var numbers = column.Numbers;
        var y = new double[rows.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double v = numbers[rows[i]];
            if (double.IsNaN(v)) throw new TabularDataException($"{table.Source}: {table.Locate(rows[i])} has no value in target column '{column.Name}'.");
            if (log && !(v > -1))
                throw new TabularDataException($"{table.Source}: a log target needs values above −1, but {table.Locate(rows[i])} has {v.ToString(CultureInfo.InvariantCulture)} in '{column.Name}'; drop the log option.");
            y[i] = log ? Math.Log(1 + v) : v;
        }
        return y;
    }

    /// <summary>
    /// A column's numbers by row (NaN for missing), for the whole column. A text column is an error naming the first
    /// non-number among <paramref name="rows"/>, or, with <paramref name="coerce"/>, reads its non-numbers as missing and counts them.
    /// </summary>
    private static ReadOnlyMemory<double> NumericValues(Table table, TableColumn column, bool coerce, ReadOnlySpan<int> rows, out int coerced)
    {
        coerced = 0;
        if (column.Kind == ColumnKind.Numeric) return column.NumberMemory;
        // Text (or dates) in a continuous column: numbers among the levels still count as numbers.
        double[] levelValues = column.Kind == ColumnKind.Text
            ? [.. column.Levels.Select(l => TextValues.TryParseNumber(l, out double d) ? d : double.NaN)]
            : [];
        var values = new double[column.Length];
        for (int r = 0; r < values.Length; r++)
            values[r] = column.Kind == ColumnKind.Text && column.CodeAt(r) is int code and >= 0 ? levelValues[code] : double.NaN;
        if (column.Kind == ColumnKind.Empty) return values;
        foreach (int r in rows)
        {
            if (column.IsMissing(r) || !double.IsNaN(values[r])) continue;
            if (!coerce)
                throw new TabularDataException(
                    $"{table.Source}: continuous column '{column.Name}' has the non-numeric value '{column.TextAt(r)}' in {table.Locate(r)}; fix it, mark it missing, declare the column categorical, or coerce such values to missing.");
            coerced++;
        }
        return values;
    }

    /// <summary>The training split's distinct values of a column, sorted (numerically when all are numbers), after #na#.</summary>
    private static List<string> FitLevels(TableColumn column, ReadOnlySpan<int> rows)
    {
        var sorted = LevelCoder.SortedDistinct(column, rows);
        sorted.Remove(MissingLevel);
        return [MissingLevel, .. sorted];
    }

    internal static string Describe(ColumnKind kind) => kind switch
    {
        ColumnKind.Empty => "no values",
        ColumnKind.Date => "dates",
        ColumnKind.Text => "text",
        _ => "numbers",
    };
}
