using System.Diagnostics;
using System.Globalization;
using Trainwright.Data.Images;

namespace Trainwright.Cli.DataSources;

/// <summary>
/// Shows the first decode of an image folder: on a terminal one line redrawn in place (a bar, images/s, time left); to
/// a file or pipe a plain line every few seconds and at the end of each phase, so logs stay readable.
/// </summary>
internal sealed class DecodeProgress(TextWriter writer, bool terminal) : IProgress<ImageLoadProgress>
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5), TerminalInterval = TimeSpan.FromMilliseconds(100);
    private readonly object gate = new();
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();
    private string? phase;
    private bool lineOpen;

    public void Report(ImageLoadProgress value)
    {
        lock (gate)
        {
            bool finished = value.Done >= value.Total;
            bool newPhase = value.Phase != phase;
            if (!finished && !newPhase && sinceLast.Elapsed < (terminal ? TerminalInterval : PlainInterval)) return;
            if (newPhase && lineOpen) EndLine();
            phase = value.Phase;
            sinceLast.Restart();
            var text = Format(value);
            if (terminal)
            {
                writer.Write("\r" + text + "\u001b[K");
                lineOpen = true;
                if (finished) EndLine();
            }
            else if (!newPhase || finished || value.Done > 0)
            {
                writer.WriteLine(text);
            }
            writer.Flush();
        }
    }

    private void EndLine()
    {
        writer.WriteLine();
        lineOpen = false;
    }

    private string Format(ImageLoadProgress p)
    {
        double fraction = p.Total == 0 ? 1 : (double)p.Done / p.Total;
        var rate = p.ImagesPerSecond.ToString("0", CultureInfo.InvariantCulture);
        var eta = p.Eta is { } t && p.Done < p.Total ? $", {Math.Ceiling(t.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s left" : "";
        var counts = string.Create(CultureInfo.InvariantCulture, $"{p.Done}/{p.Total} images ({rate}/s{eta})");
        if (!terminal) return $"{p.Phase}: {counts}";
        const int width = 30;
        int filled = (int)Math.Round(fraction * width);
        return $"{p.Phase,-16} [{new string('#', filled)}{new string('-', width - filled)}] {counts}";
    }
}
