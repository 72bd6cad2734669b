namespace Trainwright.Data.Tables;

/// <summary>
/// Writes one model input (one column of <see cref="TabularMatrix.X"/>) for a block of rows: a category's code, a
/// missing-value flag, or a filled and normalised number. <see cref="TabularPreprocessor"/> makes one per input and
/// runs them block by block, so each block of the row-major output stays in cache while every input is written.
/// </summary>
internal abstract class InputEncoder
{
    /// <summary>Rows per block: a block of the output (rows × inputs × 4 bytes) should fit in a core's L2 cache.</summary>
    public const int BlockRows = 2048;

    /// <summary>Writes this input for <paramref name="rows"/> into column <paramref name="column"/> of <paramref name="x"/> (row-major, <paramref name="width"/> wide).</summary>
    public abstract void Encode(ReadOnlySpan<int> rows, Span<float> x, int width, int column);

    /// <summary>Categorify: the level's index, 0 (the reserved level) when missing or unseen.</summary>
    public sealed class Category(LevelCoder coder) : InputEncoder
    {
        public override void Encode(ReadOnlySpan<int> rows, Span<float> x, int width, int column)
        {
            Span<int> codes = stackalloc int[rows.Length];
            coder.Codes(rows, codes);
            for (int i = 0; i < rows.Length; i++) x[i * width + column] = Math.Max(0, codes[i]);
        }
    }

    /// <summary>FillMissing's indicator: 2 ("true") when the number is missing, else 1 ("false").</summary>
    public sealed class MissingFlag(ReadOnlyMemory<double> values) : InputEncoder
    {
        public override void Encode(ReadOnlySpan<int> rows, Span<float> x, int width, int column)
        {
            var v = values.Span;
            for (int i = 0; i < rows.Length; i++) x[i * width + column] = double.IsNaN(v[rows[i]]) ? 2 : 1;
        }
    }

    /// <summary>FillMissing then Normalize: (value, or the median when missing, − mean) / std.</summary>
    public sealed class Continuous(ReadOnlyMemory<double> values, ContinuousColumn stats) : InputEncoder
    {
        public override void Encode(ReadOnlySpan<int> rows, Span<float> x, int width, int column)
        {
            var v = values.Span;
            double median = stats.Median, mean = stats.Mean, std = stats.Std;
            for (int i = 0; i < rows.Length; i++)
            {
                double d = v[rows[i]];
                x[i * width + column] = (float)(((double.IsNaN(d) ? median : d) - mean) / std);
            }
        }
    }
}
