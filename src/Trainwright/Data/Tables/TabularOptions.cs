namespace Trainwright.Data.Tables;

/// <summary>
/// How <see cref="TabularData.Load"/> reads a table, assigns column roles, picks the task and splits the rows. Only
/// <see cref="Target"/> is required; everything else has fastai's defaults.
/// </summary>
public sealed record TabularOptions
{
    /// <summary>The column to predict.</summary>
    public required string Target { get; init; }

    /// <summary>Columns to use as categorical, whatever they hold.</summary>
    public IReadOnlyList<string> Categorical { get; init; } = [];

    /// <summary>Columns to use as continuous (non-numeric values are an error unless <see cref="Coerce"/>).</summary>
    public IReadOnlyList<string> Continuous { get; init; } = [];

    /// <summary>Columns not to use.</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>Force classification or regression; null infers it from the target.</summary>
    public TabularTask? Task { get; init; }

    /// <summary>Share of rows for validation, chosen at random (stratified by class for classification). Default 0.2.</summary>
    public double ValidPct { get; init; } = 0.2;

    /// <summary>A column saying which rows are validation (true/1/valid/validation/test vs false/0/train); overrides <see cref="ValidPct"/>.</summary>
    public string? ValidCol { get; init; }

    /// <summary>Use the last N rows (file order) for validation, for data in time order; overrides <see cref="ValidPct"/>.</summary>
    public int? ValidLast { get; init; }

    /// <summary>Seed of the random split.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>How the file is read (delimiter, NA tokens).</summary>
    public TableReadOptions Read { get; init; } = new();

    /// <summary>Treat non-numeric values in continuous columns as missing (and count them) instead of failing.</summary>
    public bool Coerce { get; init; }

    /// <summary>Regression on log(1 + target) (predictions are mapped back).</summary>
    public bool LogTarget { get; init; }

    /// <summary>Keep inferred categorical columns with a different value in almost every row (IDs); by default they are ignored with a warning.</summary>
    public bool KeepIdColumns { get; init; }

    /// <summary>Whole-number columns with at most this many distinct values (and fewer than <see cref="MaxCategoryFraction"/> of the rows) are categorical; so is an integer target with at most this many values. Default 20.</summary>
    public int MaxCategoryCardinality { get; init; } = 20;

    /// <summary>See <see cref="MaxCategoryCardinality"/>. Default 0.05.</summary>
    public double MaxCategoryFraction { get; init; } = 0.05;
}
