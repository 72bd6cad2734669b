using System.Diagnostics;
using System.Globalization;
using Trainwright.Learning;
using Trainwright.Platform;

namespace Trainwright.Cli.Runs;

/// <summary>
/// With TRAINWRIGHT_REPORT_STARTUP=1, prints to stderr how long after the process started the first training batch
/// began (the bench's start-up figure), and before it the times at which the phases on the way were reached
/// (<see cref="Mark(string)"/>), so a slow start-up shows where it went.
/// </summary>
internal sealed class StartupProbe : Callback
{
    public const string Variable = "TRAINWRIGHT_REPORT_STARTUP";
    private static readonly List<(string Phase, double Ms)> Marks = [];
    private bool reported;

    public static bool Enabled { get; } = Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Records that <paramref name="phase"/> was reached now (nothing when not enabled).</summary>
    public static void Mark(string phase) => Mark(phase, null);

    private static void Mark(string phase, double? at)
    {
        if (!Enabled) return;
        lock (Marks) Marks.Add((phase, at ?? SinceStart()));
    }

    public override int Order => int.MaxValue; // after every other callback's BeforeFit, so the marks show what they cost

    public override void BeforeFit() => Mark("callbacks' BeforeFit");

    public override void BeforeTrain() => Mark("training pass started");

    public override void BeforeBatch()
    {
        if (reported || !Learner.Training) return;
        reported = true;
        var ms = SinceStart();
        double cpu;
        using (var self = Process.GetCurrentProcess()) cpu = self.TotalProcessorTime.TotalMilliseconds;
        if (TorchNative.LoadedAtUtc is { } loaded) Mark("libtorch loaded (its own thread)", SinceStart(loaded));
        lock (Marks)
            foreach (var (phase, at) in Marks.OrderBy(m => m.Ms))
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"startup phase: {phase} at {at:F0} ms"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"startup: the main thread waited {TorchNative.WaitedForLoad.TotalMilliseconds:F0} ms for libtorch"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"startup: first training batch at {ms:F0} ms after process start ({cpu:F0} ms of CPU time on all threads)"));
    }

    private static double SinceStart(DateTime? utc = null)
    {
        using var self = Process.GetCurrentProcess();
        return ((utc ?? DateTime.UtcNow) - self.StartTime.ToUniversalTime()).TotalMilliseconds;
    }
}
