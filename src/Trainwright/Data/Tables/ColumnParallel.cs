using System.Runtime.ExceptionServices;

namespace Trainwright.Data.Tables;

/// <summary>
/// Runs independent per-column (or per-block) work on all cores. Each index writes only its own results, so the
/// outcome does not depend on scheduling; when several indices fail, the error of the lowest index is the one thrown,
/// unwrapped, as a sequential loop would have thrown it.
/// </summary>
internal static class ColumnParallel
{
    /// <summary>Calls <paramref name="body"/> for 0 ≤ i &lt; <paramref name="count"/>, in parallel when it pays.</summary>
    public static void For(int count, Action<int> body)
    {
        if (count <= 1 || Environment.ProcessorCount == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        var errors = new Exception?[count];
        Parallel.For(0, count, i =>
        {
            try { body(i); }
            catch (Exception e) { errors[i] = e; }
        });
        foreach (var e in errors)
            if (e is not null) ExceptionDispatchInfo.Capture(e).Throw();
    }
}
