namespace Trainwright.Models;

/// <summary>
/// Everything that defines a <see cref="TabularModel"/>'s shape, as plain data (stored with its weights in a model file).
/// </summary>
/// <param name="Cardinalities">Codes per categorical column (vocabulary size including the reserved #na#), in input order.</param>
/// <param name="ContinuousCount">Continuous inputs, after the codes in each row.</param>
/// <param name="Outputs">Classes, or 1 for regression.</param>
public sealed record TabularModelSettings(IReadOnlyList<int> Cardinalities, int ContinuousCount, int Outputs)
{
    /// <summary>Hidden layer sizes (fastai's default 200, 100).</summary>
    public IReadOnlyList<int> Layers { get; init; } = [200, 100];

    /// <summary>Dropout after each hidden layer (one per layer), or null for none.</summary>
    public IReadOnlyList<double>? Dropouts { get; init; }

    /// <summary>Dropout on the concatenated embeddings.</summary>
    public double EmbeddingDropout { get; init; }

    /// <summary>Batch norm on the continuous block (fastai's default: on).</summary>
    public bool BatchNormContinuous { get; init; } = true;

    /// <summary>Embedding width per categorical column, or null for fastai's rule min(600, round(1.6·n^0.56)).</summary>
    public IReadOnlyList<int>? EmbeddingSizes { get; init; }

    /// <summary>For regression: squash the output into (Low, High) with a sigmoid, in the model's (scaled) target units.</summary>
    public YRange? YRange { get; init; }

    /// <summary>fastai's embedding size rule: min(600, round(1.6·n^0.56)) for a column of <paramref name="cardinality"/> codes.</summary>
    public static int EmbeddingSizeRule(int cardinality) => Math.Min(600, (int)Math.Round(1.6 * Math.Pow(cardinality, 0.56), MidpointRounding.AwayFromZero));

    /// <summary>The embedding widths in use: <see cref="EmbeddingSizes"/> or the rule's.</summary>
    public IReadOnlyList<int> ResolvedEmbeddingSizes() => EmbeddingSizes ?? [.. Cardinalities.Select(EmbeddingSizeRule)];

    /// <summary>Inputs per row the model expects: one code per categorical column plus the continuous values.</summary>
    public int InputWidth => Cardinalities.Count + ContinuousCount;
}

/// <summary>An output range for a regression model's sigmoid.</summary>
/// <param name="Low">Smallest output.</param>
/// <param name="High">Largest output.</param>
public sealed record YRange(double Low, double High);
