using Trainwright.Metrics;
using System.Globalization;
using System.Text;
using Trainwright.Losses;
using Trainwright.Models;
using static TorchSharp.torch;

namespace Trainwright.Data.Tables;

/// <summary>
/// A table made ready for training: roles inferred or given, the task, the split, preprocessing fitted on the training
/// rows and applied to both splits, and the tensors behind <see cref="ToDataBunch"/>. Everything it decided is available
/// as data (<see cref="Columns"/>, <see cref="Task"/>, counts) and as text (<see cref="Summary"/>, <see cref="Describe"/>).
/// Owns its tensors: dispose it after training.
/// </summary>
public sealed class TabularData : IDisposable
{
    private readonly Tensor trainX, trainY, validX, validY;

    private TabularData(Table table, TabularOptions options, IReadOnlyList<ColumnInfo> columns, TabularPreprocessor preprocessor,
        int[] trainRows, int[] validRows, int dropped, IReadOnlyList<string> warnings)
    {
        Table = table;
        Options = options;
        Columns = columns;
        Preprocessor = preprocessor;
        TrainRows = trainRows;
        ValidRows = validRows;
        DroppedMissingTarget = dropped;
        Warnings = warnings;
        // Transformed straight into the tensors: no intermediate arrays of a million rows.
        int coerced;
        (trainX, trainY, coerced) = preprocessor.TransformToTensors(table, trainRows);
        try
        {
            (validX, validY, int validCoerced) = preprocessor.TransformToTensors(table, validRows);
            CoercedValues = coerced + validCoerced;
        }
        catch
        {
            trainX.Dispose();
            trainY.Dispose();
            throw;
        }
    }

    /// <summary>The table as read.</summary>
    public Table Table { get; }

    /// <summary>The options it was loaded with.</summary>
    public TabularOptions Options { get; }

    /// <summary>Every column of the table (date columns followed by their parts) with its role and what was seen in it.</summary>
    public IReadOnlyList<ColumnInfo> Columns { get; }

    /// <summary>The preprocessing fitted on the training rows; store it with the model (<see cref="TabularPreprocessor.ToJson"/>).</summary>
    public TabularPreprocessor Preprocessor { get; }

    /// <summary>Classification or regression.</summary>
    public TabularTask Task => Preprocessor.Task;

    /// <summary>The class names in index order (classification), else empty.</summary>
    public IReadOnlyList<string> Classes => Preprocessor.Classes;

    /// <summary>Model outputs: the number of classes, or 1 for regression.</summary>
    public int OutputCount => Task == TabularTask.Classify ? Classes.Count : 1;

    /// <summary>Table rows of the training split.</summary>
    public IReadOnlyList<int> TrainRows { get; }

    /// <summary>Table rows of the validation split.</summary>
    public IReadOnlyList<int> ValidRows { get; }

    /// <summary>Rows dropped because their target was missing.</summary>
    public int DroppedMissingTarget { get; }

    /// <summary>Non-numeric values in continuous columns read as missing (with <see cref="TabularOptions.Coerce"/>).</summary>
    public int CoercedValues { get; }

    /// <summary>Things the user should know (e.g. an ID-like column ignored), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Training inputs [rows, <see cref="TabularPreprocessor.InputWidth"/>]: codes, then normalised values.</summary>
    public Tensor TrainX => trainX;

    /// <summary>Training targets: int64 class indices or float32 scaled values, [rows].</summary>
    public Tensor TrainY => trainY;

    /// <summary>Validation inputs.</summary>
    public Tensor ValidX => validX;

    /// <summary>Validation targets.</summary>
    public Tensor ValidY => validY;

    /// <summary>
    /// Reads <paramref name="path"/> (CSV or Parquet) and prepares it as <paramref name="options"/> say.
    /// </summary>
    /// <exception cref="TabularDataException">The file or the options cannot be used; the message says why in one line.</exception>
    public static TabularData Load(string path, TabularOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return FromTable(Table.Read(path, options.Read), options);
    }

    /// <summary>Prepares an already read table.</summary>
    /// <exception cref="TabularDataException">The table or the options cannot be used.</exception>
    public static TabularData FromTable(Table table, TabularOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        CheckOptions(table, options);
        var targetColumn = table.TryGetColumn(options.Target, out var t) ? t : throw new TabularDataException(Names.Unknown(table, "target", options.Target));
        var kept = RowsWithValue(targetColumn);
        int dropped = table.RowCount - kept.Length;
        if (kept.Length == 0)
            throw new TabularDataException($"{table.Source}: every row's target '{options.Target}' is missing; check the target column and the NA tokens.");
        var task = options.Task ?? InferTask(table, targetColumn, options);
        if (targetColumn.Kind == ColumnKind.Date && task == TabularTask.Regress)
            throw new TabularDataException($"{table.Source}: target '{options.Target}' holds dates, which cannot be regressed; pick another target.");
        IReadOnlyList<string> classes = [];
        int[]? strata = null;
        if (task == TabularTask.Classify)
        {
            classes = LevelCoder.SortedDistinct(targetColumn, kept);
            if (classes.Count < 2)
                throw new TabularDataException($"{table.Source}: target '{options.Target}' has a single class ('{classes[0]}') in all {kept.Length} rows; classification needs at least two.");
            strata = new int[kept.Length];
            LevelCoder.For(targetColumn, classes).Codes(kept, strata);
        }
        else if (targetColumn.Kind != ColumnKind.Numeric)
            throw new TabularDataException($"{table.Source}: regression needs a numeric target, but '{options.Target}' holds {TabularPreprocessor.Describe(targetColumn.Kind)}; use classification.");

        var warnings = new List<string>();
        var (columns, dateColumns) = InferRoles(table, options, kept, warnings);
        var (train, valid) = Split(table, options, kept, strata);
        if (train.Length == 0) throw new TabularDataException($"{table.Source}: no rows are left for training after the validation split; use fewer validation rows.");
        if (valid.Length == 0) throw new TabularDataException($"{table.Source}: the validation split is empty ({kept.Length} rows); use more validation rows.");
        var preprocessor = TabularPreprocessor.Fit(table, options.Target, task, dateColumns,
            [.. columns.Where(c => c.Role == ColumnRole.Categorical).Select(c => c.Name)],
            [.. columns.Where(c => c.Role == ColumnRole.Continuous).Select(c => c.Name)],
            train, classes, options.Coerce, options.LogTarget);
        if (dropped > 0) warnings.Add($"{dropped} row{(dropped == 1 ? "" : "s")} without a target dropped.");
        var data = new TabularData(table, options, columns, preprocessor, train, valid, dropped, warnings);
        if (data.CoercedValues > 0) warnings.Add($"{data.CoercedValues} non-numeric value{(data.CoercedValues == 1 ? "" : "s")} in continuous columns read as missing.");
        return data;
    }

    /// <summary>
    /// The training (shuffled, seeded) and validation loaders over this data, <see cref="DataBunch.C"/> =
    /// <see cref="OutputCount"/>. The loaders read this object's tensors: keep it alive while they are used.
    /// </summary>
    public DataBunch ToDataBunch(int batchSize, int numWorkers = 0, int? seed = null) =>
        DataBunch.FromDatasets(new TensorPairDataset(trainX, trainY), new TensorPairDataset(validX, validY), batchSize,
            OutputCount, numWorkers, seed);

    /// <summary>The default model for this data (fastai's: layers 200, 100), to adjust with <c>with { … }</c>.</summary>
    public TabularModelSettings ModelSettings() =>
        new([.. Preprocessor.Categorical.Select(c => c.Cardinality)], Preprocessor.Continuous.Count, OutputCount);

    /// <summary>The loss for the task: cross entropy, or mean squared error on the scaled target.</summary>
    public LossFunction Loss => Task == TabularTask.Classify ? LossFunctions.CrossEntropyLoss : RegressionLosses.MseLoss;

    /// <summary>
    /// The metrics for the task: accuracy, balanced accuracy and macro F1; or RMSE, MAE and R² in the target's own units.
    /// </summary>
    public Metric[] Metrics()
    {
        if (Task == TabularTask.Classify)
            return [ClassificationMetrics.Accuracy, ClassificationMetrics.BalancedAccuracy(Classes.Count), ClassificationMetrics.MacroF1(Classes.Count)];
        var scaling = Preprocessor.TargetScaling!;
        Func<Tensor, Tensor> original = scaling.FromModel;
        return [RegressionMetrics.Rmse(original), RegressionMetrics.Mae(original), RegressionMetrics.R2(original)];
    }

    /// <summary>One line for a header, e.g. <c>adult.csv: 26048 train, 6513 valid rows; classify 'salary' (2 classes); 7 categorical, 6 continuous</c>.</summary>
    public string Summary
    {
        get
        {
            int cats = Columns.Count(c => c.Role == ColumnRole.Categorical), conts = Columns.Count(c => c.Role == ColumnRole.Continuous);
            string task = Task == TabularTask.Classify
                ? $"classify '{Options.Target}' ({Classes.Count} classes)"
                : $"regress '{Options.Target}'{(Preprocessor.TargetScaling!.Log ? " (log)" : "")}";
            return $"{Table.Source}: {TrainRows.Count} train, {ValidRows.Count} valid rows; {task}; {cats} categorical, {conts} continuous"
                + (DroppedMissingTarget > 0 ? $"; {DroppedMissingTarget} rows without target dropped" : "");
        }
    }

    /// <summary>Several lines: the summary, each role with its columns (cardinalities, missing counts, why), and the warnings.</summary>
    public string Describe()
    {
        var text = new StringBuilder(Summary).AppendLine();
        foreach (var group in Columns.GroupBy(c => c.Role).OrderBy(g => g.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {group.Key.ToString().ToLowerInvariant(),-12} ");
            text.AppendJoin(", ", group.Select(c =>
                c.Name
                + (c.Role == ColumnRole.Categorical ? $" ({c.Cardinality})" : "")
                + (c.Missing > 0 && c.Role is ColumnRole.Categorical or ColumnRole.Continuous or ColumnRole.Date ? $" [{c.Missing} missing]" : "")
                + (c.Reason != "given" && c.Role == ColumnRole.Ignored ? $" ({c.Reason})" : "")));
            text.AppendLine();
        }
        foreach (var w in Warnings) text.AppendLine(CultureInfo.InvariantCulture, $"  warning: {w}");
        return text.ToString().TrimEnd();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        trainX.Dispose();
        trainY.Dispose();
        validX.Dispose();
        validY.Dispose();
    }

    private static void CheckOptions(Table table, TabularOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Target)) throw new TabularDataException("No target column given; name the column to predict.");
        if (options.ValidCol is null && options.ValidLast is null && !(options.ValidPct > 0 && options.ValidPct < 1))
            throw new TabularDataException($"The validation share must be between 0 and 1 (exclusive); got {options.ValidPct.ToString(CultureInfo.InvariantCulture)}.");
        if (options.ValidLast is < 1) throw new TabularDataException($"The number of last rows for validation must be at least 1; got {options.ValidLast}.");
        if (options.ValidCol is not null && options.ValidLast is not null)
            throw new TabularDataException("Give either a validation column or a number of last rows for validation, not both.");
        var lists = new[] { ("categorical", options.Categorical), ("continuous", options.Continuous), ("ignored", options.Ignore) };
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (what, names) in lists)
            foreach (var name in names)
            {
                if (name == options.Target) throw new TabularDataException($"'{name}' is the target; it cannot also be {what}.");
                if (seen.TryGetValue(name, out var other)) throw new TabularDataException($"Column '{name}' is declared both {other} and {what}; pick one.");
                seen[name] = what;
                if (!table.TryGetColumn(name, out _) && !IsDatePartName(table, name)) throw new TabularDataException(Names.Unknown(table, what, name));
            }
        if (options.ValidCol is not null && !table.TryGetColumn(options.ValidCol, out _))
            throw new TabularDataException(Names.Unknown(table, "validation", options.ValidCol));
    }

    private static bool IsDatePartName(Table table, string name)
    {
        int cut = name.LastIndexOf('_');
        return cut > 0 && table.TryGetColumn(name[..cut], out var source) && source.Kind == ColumnKind.Date && DateParts.Suffixes.Contains(name[(cut + 1)..]);
    }

    private static TabularTask InferTask(Table table, TableColumn target, TabularOptions options) => target.Kind switch
    {
        ColumnKind.Text => TabularTask.Classify,
        ColumnKind.Numeric => target.AllIntegers && target.DistinctCount <= options.MaxCategoryCardinality ? TabularTask.Classify : TabularTask.Regress,
        ColumnKind.Date => TabularTask.Classify,
        _ => throw new TabularDataException($"{table.Source}: target '{target.Name}' has no values."),
    };

    private static (int[] Train, int[] Valid) Split(Table table, TabularOptions options, int[] kept, int[]? strata)
    {
        if (options.ValidCol is not null) return TabularSplit.ByColumn(table, table[options.ValidCol], kept);
        if (options.ValidLast is int n)
        {
            if (n >= kept.Length) throw new TabularDataException($"{table.Source}: {n} validation rows leave none for training ({kept.Length} rows with a target).");
            return TabularSplit.Last(kept, n);
        }
        return TabularSplit.Random(kept, options.ValidPct, options.Seed, strata);
    }

    /// <summary>The rows where <paramref name="column"/> has a value, in order.</summary>
    private static int[] RowsWithValue(TableColumn column)
    {
        if (column.MissingCount == 0) return [.. Enumerable.Range(0, column.Length)];
        var rows = new int[column.Length - column.MissingCount];
        int n = 0;
        for (int r = 0; r < column.Length; r++) if (!column.IsMissing(r)) rows[n++] = r;
        return rows;
    }

    /// <summary>Missing values of <paramref name="column"/> among <paramref name="rows"/> (every row, in order, or a subset).</summary>
    private static int MissingAmong(TableColumn column, int[] rows)
    {
        if (rows.Length == column.Length) return column.MissingCount;
        if (column.MissingCount == 0) return 0;
        int missing = 0;
        foreach (int r in rows) if (column.IsMissing(r)) missing++;
        return missing;
    }

    private static (List<ColumnInfo> Columns, List<string> DateColumns) InferRoles(Table table, TabularOptions options, int[] kept, List<string> warnings)
    {
        var cat = options.Categorical.ToHashSet(StringComparer.Ordinal);
        var cont = options.Continuous.ToHashSet(StringComparer.Ordinal);
        var ignore = options.Ignore.ToHashSet(StringComparer.Ordinal);
        var infos = new List<ColumnInfo>();
        var dates = new List<string>();
        foreach (var column in table.Columns)
        {
            int missing = MissingAmong(column, kept);
            if (column.Name == options.Target) { infos.Add(new(column.Name, ColumnRole.Target, column.Kind, 0, column.DistinctCount, "given")); continue; }
            if (column.Name == options.ValidCol) { infos.Add(new(column.Name, ColumnRole.Split, column.Kind, missing, column.DistinctCount, "given")); continue; }
            if (column.Kind == ColumnKind.Date && !cat.Contains(column.Name) && !ignore.Contains(column.Name))
            {
                if (cont.Contains(column.Name))
                    throw new TabularDataException($"{table.Source}: '{column.Name}' holds dates, which become parts (year, month, …, elapsed) on their own; do not declare it continuous.");
                dates.Add(column.Name);
                infos.Add(new(column.Name, ColumnRole.Date, column.Kind, missing, column.DistinctCount, "dates"));
                foreach (var part in DateParts.Expand(table, column))
                    infos.Add(Decide(table, part, MissingAmong(part, kept), kept.Length, options, cat, cont, ignore, warnings));
                continue;
            }
            infos.Add(Decide(table, column, missing, kept.Length, options, cat, cont, ignore, warnings));
        }
        if (!infos.Any(i => i.Role is ColumnRole.Categorical or ColumnRole.Continuous))
            throw new TabularDataException($"{table.Source}: no input columns are left (roles: {string.Join("; ", infos)}); declare some categorical or continuous.");
        return (infos, dates);
    }

    private static ColumnInfo Decide(Table table, TableColumn column, int missing, int rows, TabularOptions options,
        HashSet<string> cat, HashSet<string> cont, HashSet<string> ignore, List<string> warnings)
    {
        ColumnInfo Info(ColumnRole role, string reason) => new(column.Name, role, column.Kind, missing, column.DistinctCount, reason);
        if (ignore.Contains(column.Name)) return Info(ColumnRole.Ignored, "given");
        if (cat.Contains(column.Name))
        {
            if (IsIdLike(column, missing, rows))
                warnings.Add($"'{column.Name}' has a different value in almost every row ({column.DistinctCount} values), like an ID; it was declared categorical, so it is kept.");
            return Info(ColumnRole.Categorical, "given");
        }
        if (cont.Contains(column.Name)) return Info(ColumnRole.Continuous, "given");
        switch (column.Kind)
        {
            case ColumnKind.Empty:
                return Info(ColumnRole.Ignored, "every value missing");
            case ColumnKind.Numeric:
                int present = rows - missing;
                return column.AllIntegers && column.DistinctCount <= options.MaxCategoryCardinality && column.DistinctCount < options.MaxCategoryFraction * present
                    ? Info(ColumnRole.Categorical, $"whole numbers, {column.DistinctCount} values")
                    : Info(ColumnRole.Continuous, "numbers");
            default:
                if (IsIdLike(column, missing, rows) && !options.KeepIdColumns)
                {
                    warnings.Add($"'{column.Name}' has a different value in almost every row ({column.DistinctCount} values), like an ID; ignored (declare it categorical to use it).");
                    return Info(ColumnRole.Ignored, "ID-like");
                }
                return Info(ColumnRole.Categorical, "text");
        }
    }

    /// <summary>Text with a distinct value in at least 95% of at least 20 present rows.</summary>
    private static bool IsIdLike(TableColumn column, int missing, int rows)
    {
        int present = rows - missing;
        return column.Kind == ColumnKind.Text && present >= 20 && column.DistinctCount >= 0.95 * present;
    }
}
