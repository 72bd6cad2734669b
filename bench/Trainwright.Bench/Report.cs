using System.Globalization;

namespace Trainwright.Bench;

/// <summary>Markdown tables of bench results.</summary>
public static class Report
{
    /// <summary>A table of A/B comparisons, one row each, streamed as they finish.</summary>
    public static IEnumerable<string> Table(IEnumerable<Comparison> comparisons)
    {
        yield return "| measurement | ours | baseline | ours median ms | baseline median ms | ratio median (min) | per-round ratios | rounds | goal | met |";
        yield return "|---|---|---|---:|---:|---:|---:|---:|---|---|";
        foreach (var c in comparisons)
            yield return string.Create(CultureInfo.InvariantCulture,
                $"| {c.Name} | {c.Subject} | {c.Baseline} | {Stats.Median(c.SubjectMs):F2} | {Stats.Median(c.BaselineMs):F2} | {c.MedianRatio:F3} ({c.MinRatio:F3}) | {c.PairedRatioRange.Low:F2}–{c.PairedRatioRange.High:F2} | {c.SubjectMs.Length} | {c.Goal} | {(c.GoalMet ? "yes" : "**no**")} |");
    }

    /// <summary>A table of figures, one row each, streamed as they finish.</summary>
    public static IEnumerable<string> Table(IEnumerable<Figure> figures)
    {
        yield return "| measurement | figure | beside | goal | met |";
        yield return "|---|---|---|---|---|";
        foreach (var f in figures)
            yield return $"| {f.Name} | {f.Value} | {f.Baseline} | {f.Goal} | {f.GoalMet switch { true => "yes", false => "**no**", null => "" }} |";
    }
}
