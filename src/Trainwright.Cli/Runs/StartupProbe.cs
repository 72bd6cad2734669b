using System.Diagnostics;
using System.Globalization;
using Trainwright.Learning;

namespace Trainwright.Cli.Runs;

/// <summary>
/// With TRAINWRIGHT_REPORT_STARTUP=1, prints to stderr how long after the process started the first training batch
/// began (the bench's start-up figure).
/// </summary>
internal sealed class StartupProbe : Callback
{
    public const string Variable = "TRAINWRIGHT_REPORT_STARTUP";
    private bool reported;

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    public override void BeforeBatch()
    {
        if (reported || !Learner.Training) return;
        reported = true;
        using var self = Process.GetCurrentProcess();
        var ms = (DateTime.Now - self.StartTime).TotalMilliseconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"startup: first training batch at {ms:F0} ms after process start"));
    }
}
