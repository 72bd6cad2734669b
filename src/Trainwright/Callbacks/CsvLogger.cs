using System.Diagnostics;
using System.Globalization;
using System.Text;
using Trainwright.Data;
using Trainwright.IO;
using Trainwright.Learning;
using Trainwright.Optim;
using Trainwright.Metrics;

namespace Trainwright.Callbacks;

/// <summary>
/// Writes one row per epoch to a CSV file: <c>epoch</c> (1 for the first), <c>train_loss</c>, <c>valid_loss</c>, each
/// metric as <c>train_name</c> and <c>valid_name</c>, <c>lr</c> (parameter group 0, at the end of the epoch) and
/// <c>seconds</c>. The numbers come from the attached <see cref="AvgStats"/> and use the invariant culture.
/// <para>
/// Every epoch the whole file is written to a temp file next to it and renamed over it, so a reader or a crash never
/// sees half a row. With <c>append</c> the rows already in the file are kept (the header must match) and rows for epochs
/// this fit writes again, e.g. after resuming from a checkpoint, replace the old ones instead of repeating them.
/// </para>
/// </summary>
public sealed class CsvLogger : Callback
{
    private readonly bool append;
    private readonly List<(int Epoch, string Line)> rows = [];
    private readonly Stopwatch clock = new();
    private AvgStats? stats;
    private string[] metricNames = [];
    private string header = "";

    /// <summary>Creates the logger.</summary>
    /// <param name="path">The CSV file; its folder is created when missing.</param>
    /// <param name="append">Keep the rows already in the file (e.g. when resuming) instead of starting it afresh.</param>
    public CsvLogger(string path, bool append = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        this.append = append;
    }

    /// <summary>The full path of the CSV file.</summary>
    public string Path { get; }

    /// <summary>The column names, available from <see cref="Event.BeforeFit"/> on.</summary>
    public IReadOnlyList<string> Columns { get; private set; } = [];

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit;

    /// <inheritdoc />
    public override bool ReportsTraining => true;

    /// <inheritdoc />
    public override int Order => CallbackOrder.Logger;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">No <see cref="AvgStats"/> is attached.</exception>
    /// <exception cref="InvalidDataException">In append mode, the existing file has other columns.</exception>
    /// <exception cref="IOException">The file is a folder, a device, a FIFO or a socket, or cannot be written.</exception>
    public override void BeforeFit()
    {
        if (!Learner.TryGet<AvgStats>(out var found))
            throw new InvalidOperationException(
                $"CsvLogger ('{Path}') reads the epoch's numbers from an AvgStats callback, and none is attached. "
                + "Add new AvgStats(...) with the metrics to log (e.g. StandardCallbacks.For(...)).");
        stats = found;
        metricNames = [.. found.MetricNames];
        Columns = ["epoch", "train_loss", "valid_loss",
            .. metricNames.Select(m => "train_" + m), .. metricNames.Select(m => "valid_" + m), "lr", "seconds"];
        header = string.Join(",", Columns.Select(Quote));
        rows.Clear();
        // Before anything is read or written: reading a FIFO would wait forever, and the rename would replace a device.
        if (RegularFile.WhatElse(Path) is { } kind)
            throw new IOException($"CsvLogger cannot write '{Path}': it is {kind}, not a regular file; give the path of a CSV file.");
        if (append && File.Exists(Path)) ReadExisting();
        Write();
    }

    /// <inheritdoc />
    public override void BeforeEpoch() => clock.Restart();

    /// <inheritdoc />
    public override void AfterEpoch()
    {
        var l = Learner;
        int epoch = l.Epoch + 1;
        // Stats from an earlier epoch (this epoch's pass was cancelled before it began) are left blank, not repeated.
        var train = stats!.Train is { } t && t.Epoch == l.Epoch ? t : null;
        var valid = stats.Valid is { } v && v.Epoch == l.Epoch ? v : null;
        var cells = new List<string>(Columns.Count) { epoch.ToString(CultureInfo.InvariantCulture), Num(train?.Loss), Num(valid?.Loss) };
        cells.AddRange(metricNames.Select(m => Num(train?.Metrics[m])));
        cells.AddRange(metricNames.Select(m => Num(valid?.Metrics[m])));
        var group = l.Opt.Groups[0];
        cells.Add(Num(group.Has(Hyper.Lr) ? group[Hyper.Lr] : null));
        cells.Add(clock.Elapsed.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
        rows.RemoveAll(r => r.Epoch >= epoch);
        rows.Add((epoch, string.Join(",", cells)));
        Write();
    }

    private void ReadExisting()
    {
        var lines = File.ReadAllLines(Path);
        if (lines.Length == 0) return;
        if (lines[0] != header)
            throw new InvalidDataException(
                $"Cannot append to '{Path}': its columns are '{lines[0]}' but this fit logs '{header}'. "
                + "Use another file, or append: false to start it afresh.");
        foreach (var line in lines.Skip(1).Where(s => s.Length > 0))
        {
            var first = line.Split(',', 2)[0];
            if (!int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out int epoch))
                throw new InvalidDataException($"Cannot append to '{Path}': the row '{line}' does not start with an epoch number.");
            rows.Add((epoch, line));
        }
    }

    private void Write()
    {
        var sb = new StringBuilder(header).Append('\n');
        foreach (var (_, line) in rows) sb.Append(line).Append('\n');
        try
        {
            AtomicFile.WriteText(Path, sb.ToString());
        }
        catch (IOException e)
        {
            throw new IOException($"Could not write the CSV log '{Path}': {e.Message}", e);
        }
    }

    private static string Num(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    // Metric names are the user's: quote the ones CSV would misread.
    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
