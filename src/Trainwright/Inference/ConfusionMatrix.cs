namespace Trainwright.Inference;

/// <summary>
/// Counts of (actual, predicted) class pairs, stored sparsely (one entry per pair that occurs) so thousands of
/// classes cost memory in proportion to the items, not to classes squared.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly Dictionary<(int Actual, int Predicted), int> counts;

    internal ConfusionMatrix(int classCount, Dictionary<(int, int), int> counts)
    {
        ClassCount = classCount;
        this.counts = counts;
    }

    /// <summary>Number of classes (rows and columns).</summary>
    public int ClassCount { get; }

    /// <summary>Items of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public int this[int actual, int predicted] => counts.TryGetValue((actual, predicted), out int n) ? n : 0;

    /// <summary>The pairs that occur, with their counts, by actual then predicted class.</summary>
    public IEnumerable<(int Actual, int Predicted, int Count)> NonZero =>
        counts.OrderBy(kv => kv.Key.Actual).ThenBy(kv => kv.Key.Predicted).Select(kv => (kv.Key.Actual, kv.Key.Predicted, kv.Value));

    /// <summary>
    /// The dense matrix, rows = actual, columns = predicted; with <paramref name="normalize"/> each row is divided by
    /// its total (rows of classes without items stay 0).
    /// </summary>
    public double[,] ToDense(bool normalize = false)
    {
        var m = new double[ClassCount, ClassCount];
        foreach (var ((a, p), n) in counts) m[a, p] = n;
        if (normalize)
            for (int r = 0; r < ClassCount; r++)
            {
                double total = 0;
                for (int c = 0; c < ClassCount; c++) total += m[r, c];
                if (total > 0) for (int c = 0; c < ClassCount; c++) m[r, c] /= total;
            }
        return m;
    }
}
