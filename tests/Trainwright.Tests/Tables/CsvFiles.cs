using Trainwright.Tests.Support;
using System.Globalization;
using System.Text;

namespace Trainwright.Tests.Tables;

/// <summary>Writes the tables the tests need into a temporary folder.</summary>
internal sealed class CsvFiles : IDisposable
{
    private readonly Trainwright.Tests.Support.TempFolder folder = new();

    public string Write(string name, string text, bool bom = false)
    {
        var path = folder.File(name);
        System.IO.File.WriteAllText(path, text, new UTF8Encoding(bom));
        return path;
    }

    public string WriteBytes(string name, byte[] bytes)
    {
        var path = folder.File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public string File(string name) => folder.File(name);

    /// <summary>
    /// A classification table: y = "hi" when 2·a − b + (cat bonus) > 0, else "lo", with a little label noise.
    /// Columns: a, b (continuous, some b missing), colour (text: red/green/blue), size (integers 1..3), id, y.
    /// </summary>
    public string Classification(int rows, int seed = 1, double noise = 0.03)
    {
        var rng = new Random(seed);
        var text = new StringBuilder("id,a,b,colour,size,y\n");
        string[] colours = ["red", "green", "blue"];
        for (int i = 0; i < rows; i++)
        {
            double a = rng.NextDouble() * 2 - 1, b = rng.NextDouble() * 2 - 1;
            int c = rng.Next(3), size = 1 + rng.Next(3);
            double score = 2 * a - b + (c == 0 ? 0.8 : c == 1 ? -0.8 : 0) + (size - 2) * 0.3;
            bool hi = score > 0;
            if (rng.NextDouble() < noise) hi = !hi;
            string bText = rng.NextDouble() < 0.05 ? "NA" : b.ToString("R", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"row{i:D6},{a:R},{bText},{colours[c]},{size},{(hi ? "hi" : "lo")}\n");
        }
        return Write($"class{seed}.csv", text.ToString());
    }

    /// <summary>A regression table: y = 3·x1 − 2·x2² + (group effect) + 10 + N(0, 0.1²). Columns x1, x2, group, y.</summary>
    public string Regression(int rows, int seed = 2)
    {
        var rng = new Random(seed);
        var text = new StringBuilder("x1;x2;group;y\n");
        for (int i = 0; i < rows; i++)
        {
            double x1 = rng.NextDouble() * 2 - 1, x2 = rng.NextDouble() * 2 - 1;
            int g = rng.Next(4);
            double noise = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) * 0.1;
            double y = 3 * x1 - 2 * x2 * x2 + g * 0.5 + 10 + noise;
            text.Append(CultureInfo.InvariantCulture, $"{x1:R};{x2:R};g{g};{y:R}\n");
        }
        return Write($"reg{seed}.csv", text.ToString());
    }

    public void Dispose() => folder.Dispose();
}
