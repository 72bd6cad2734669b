namespace Trainwright.Schedules;

/// <summary>
/// The lesson's annealers: plain functions of the position in [0, 1], composable with <see cref="Combine"/>.
/// Positions outside [0, 1] are clamped.
/// </summary>
public static class Sched
{
    /// <summary>Linear from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public static Schedule Lin(double start, double end) => pos => start + Clamp(pos) * (end - start);

    /// <summary>Half a cosine from <paramref name="start"/> to <paramref name="end"/>: flat at both ends, steep in the middle.</summary>
    public static Schedule Cos(double start, double end) =>
        pos => start + (1 + Math.Cos(Math.PI * (1 - Clamp(pos)))) * (end - start) / 2;

    /// <summary>Constant <paramref name="value"/>.</summary>
    public static Schedule Const(double value) => _ => value;

    /// <summary>Exponential (geometric) from <paramref name="start"/> to <paramref name="end"/>; both must be positive.</summary>
    public static Schedule Exp(double start, double end)
    {
        if (!(start > 0) || !(end > 0))
            throw new ArgumentOutOfRangeException(nameof(start), $"An exponential schedule needs positive ends; got {start} and {end}.");
        return pos => start * Math.Pow(end / start, Clamp(pos));
    }

    /// <summary>
    /// Runs <paramref name="schedules"/> one after another, each over its share of training given by
    /// <paramref name="pcts"/>; each phase sees its own position from 0 to 1.
    /// </summary>
    /// <param name="pcts">Share of training of each phase: non-negative, summing to 1.</param>
    /// <param name="schedules">One schedule per phase.</param>
    public static Schedule Combine(IReadOnlyList<double> pcts, IReadOnlyList<Schedule> schedules)
    {
        ArgumentNullException.ThrowIfNull(pcts);
        ArgumentNullException.ThrowIfNull(schedules);
        if (pcts.Count == 0 || pcts.Count != schedules.Count)
            throw new ArgumentException($"Combine needs one share per schedule; got {pcts.Count} shares and {schedules.Count} schedules.", nameof(pcts));
        if (pcts.Any(p => p < 0 || !double.IsFinite(p)))
            throw new ArgumentException($"Every share must be a non-negative number; got [{string.Join(", ", pcts)}].", nameof(pcts));
        double sum = pcts.Sum();
        if (Math.Abs(sum - 1) > 1e-9)
            throw new ArgumentException($"The shares must sum to 1; [{string.Join(", ", pcts)}] sums to {sum:G6}.", nameof(pcts));
        var ends = new double[pcts.Count];
        double acc = 0;
        for (int i = 0; i < pcts.Count; i++) ends[i] = acc += pcts[i];
        ends[^1] = 1;
        var phases = schedules.ToArray();
        var shares = pcts.ToArray();
        return pos =>
        {
            pos = Clamp(pos);
            int i = 0;
            while (i < ends.Length - 1 && (pos > ends[i] || shares[i] == 0)) i++;
            double start = ends[i] - shares[i];
            double local = shares[i] == 0 ? 1 : (pos - start) / shares[i];
            return phases[i](Math.Clamp(local, 0, 1));
        };
    }

    /// <summary>
    /// The one-cycle learning rate: cosine warm-up from <c>maxLr / divStart</c> to <paramref name="maxLr"/> over
    /// <paramref name="pctStart"/> of training, then cosine annealing down to <c>maxLr / divFinal</c>.
    /// </summary>
    public static Schedule OneCycleLr(double maxLr, double pctStart = 0.25, double divStart = 25, double divFinal = 1e5)
    {
        if (!(maxLr > 0)) throw new ArgumentOutOfRangeException(nameof(maxLr), maxLr, "The maximum learning rate must be positive.");
        CheckPctStart(pctStart);
        return Combine([pctStart, 1 - pctStart], [Cos(maxLr / divStart, maxLr), Cos(maxLr, maxLr / divFinal)]);
    }

    /// <summary>The one-cycle momentum: the inverse of the learning rate's cycle, high → low → high.</summary>
    public static Schedule OneCycleMom(double maxMom = 0.95, double minMom = 0.85, double pctStart = 0.25)
    {
        CheckPctStart(pctStart);
        return Combine([pctStart, 1 - pctStart], [Cos(maxMom, minMom), Cos(minMom, maxMom)]);
    }

    private static void CheckPctStart(double pctStart)
    {
        if (!(pctStart > 0 && pctStart < 1))
            throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "The warm-up share must be between 0 and 1 (exclusive).");
    }

    private static double Clamp(double pos) => double.IsNaN(pos) ? 0 : Math.Clamp(pos, 0, 1);
}
