using System.Diagnostics;

namespace Trainwright.Bench;

/// <summary>A figure measured against a baseline in the same process.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Subject">The measured side (ours).</param>
/// <param name="Baseline">The side we compare against.</param>
/// <param name="SubjectMs">Our times, one per repetition, in milliseconds.</param>
/// <param name="BaselineMs">The baseline's times, one per repetition, in milliseconds.</param>
/// <param name="Goal">The goal as text, e.g. "≤ 1.20×".</param>
/// <param name="GoalMet">Whether the median ratio meets the goal.</param>
public sealed record Comparison(string Name, string Subject, string Baseline, double[] SubjectMs, double[] BaselineMs, string Goal, bool GoalMet)
{
    /// <summary>Median of ours over median of the baseline.</summary>
    public double MedianRatio => Stats.Median(SubjectMs) / Stats.Median(BaselineMs);
    /// <summary>Min of ours over min of the baseline.</summary>
    public double MinRatio => SubjectMs.Min() / BaselineMs.Min();
    /// <summary>The spread: the lowest and highest ratio of the rounds run back to back (ours over the baseline's).</summary>
    public (double Low, double High) PairedRatioRange
    {
        get
        {
            var r = SubjectMs.Zip(BaselineMs, (a, b) => a / b).ToArray();
            return (r.Min(), r.Max());
        }
    }
}

/// <summary>Small statistics helpers.</summary>
public static class Stats
{
    /// <summary>The median of a non-empty set.</summary>
    public static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}

/// <summary>Runs two pieces of work alternately (A, B, A, B…) so both see the same machine noise.</summary>
public static class Interleaved
{
    /// <summary>Warms each side up once, then times <paramref name="repetitions"/> alternating runs of each.</summary>
    public static (double[] A, double[] B) Time(Action a, Action b, int repetitions, int warmup = 1)
    {
        for (int i = 0; i < warmup; i++) { a(); b(); }
        var ta = new double[repetitions];
        var tb = new double[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            // Alternate which side goes first so neither always follows the other.
            if (i % 2 == 0) { ta[i] = Ms(a); tb[i] = Ms(b); }
            else { tb[i] = Ms(b); ta[i] = Ms(a); }
        }
        return (ta, tb);
    }

    private static double Ms(Action work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var sw = Stopwatch.StartNew();
        work();
        return sw.Elapsed.TotalMilliseconds;
    }
}
