using Trainwright.Cli.Host;
using Trainwright.Cli.Settings;
using Trainwright.Data.Tables;

namespace Trainwright.Cli.DataSources;

/// <summary>
/// A table: a CSV or TSV file (delimiter detected) or a Parquet file, with <c>--target COL</c> naming the column to
/// predict. Column roles, task and split are inferred or given (<c>--cat</c>, <c>--cont</c>, <c>--ignore</c>, <c>--task</c>,
/// <c>--valid-pct</c>, <c>--valid-col</c>, <c>--valid-last</c>); preprocessing is fitted on the training rows and recorded
/// in checkpoints (<see cref="PreprocessorKey"/>).
/// </summary>
internal sealed class TableSource : IDataSource
{
    /// <summary>The metadata key of the fitted preprocessing (<see cref="TabularPreprocessor.ToJson"/>).</summary>
    public const string PreprocessorKey = "data.table.preprocessor";

    private static readonly string[] Extensions = [".csv", ".tsv", ".parquet"];

    public string Name => "table";

    public Settings.ModelKind DefaultModel => Settings.ModelKind.Tabular;

    public string Expects => "A table is a .csv, .tsv or .parquet file with a header row; name the column to predict with --target COL.";

    public bool ReadsBeforeLoadingTorch => false;

    public bool CanRead(string path) => File.Exists(path) && Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    public ITrainingData Open(DataRequest request)
    {
        var s = request.Settings;
        var path = request.Path ?? throw new CliException("A table needs --data FILE.");
        try
        {
            // evaluate --data OTHER.csv: every row of another file, through the preprocessing the checkpoint was trained with.
            if (request.Checkpoint is { } meta && meta.TryGetValue(PreprocessorKey, out var json)
                && RunSettings.FromMetadata(meta).Data is { } trainedOn && !SamePath(trainedOn, path))
                return TableTrainingData.ForFile(path, ReadPreprocessor(json), request, Name);
            if (string.IsNullOrWhiteSpace(s.Target))
                throw new CliException($"--data '{path}' is a table: name the column to predict with --target COL{ColumnsOf(path)}.");
            var options = new TabularOptions
            {
                Target = s.Target,
                Categorical = RunSettings.ColumnList(s.Categorical),
                Continuous = RunSettings.ColumnList(s.Continuous),
                Ignore = RunSettings.ColumnList(s.Ignore),
                Task = s.Task,
                ValidPct = s.ValidPct,
                ValidCol = s.ValidCol,
                ValidLast = s.ValidLast,
                Seed = s.Seed,
                Coerce = s.Coerce,
                LogTarget = s.LogTarget,
            };
            var data = TabularData.Load(path, options);
            try
            {
                return TableTrainingData.ForRun(data, request, Name);
            }
            catch
            {
                data.Dispose();
                throw;
            }
        }
        catch (TabularDataException e)
        {
            throw new CliException(e.Message, inner: e);
        }
        catch (IOException e)
        {
            throw new CliException($"Cannot read the table '{path}': {e.Message}", inner: e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException($"Cannot read the table '{path}': {e.Message}", inner: e);
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    // The columns there are, to pick a target from (best effort: a file that cannot be read fails later with its own message).
    private static string ColumnsOf(string path)
    {
        try
        {
            var names = Table.Read(path).ColumnNames.ToList();
            return $"; its columns are {string.Join(", ", names.Take(20))}{(names.Count > 20 ? ", …" : "")}";
        }
        catch (Exception e) when (e is TabularDataException or IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <exception cref="CliException">The recorded preprocessing cannot be read.</exception>
    public static TabularPreprocessor ReadPreprocessor(string json)
    {
        try
        {
            return TabularPreprocessor.FromJson(json);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or TabularDataException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"The checkpoint records invalid table preprocessing ({PreprocessorKey}); it was edited or written by another tool.", inner: e);
        }
    }
}
