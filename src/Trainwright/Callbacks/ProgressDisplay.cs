using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Trainwright.Learning;

namespace Trainwright.Callbacks;

/// <summary>
/// Shows training progress: on an interactive terminal, a bar over epochs and one over the batches of the current pass
/// with the latest training loss, and a table row per epoch (train loss, valid loss, validation metrics, time); elsewhere
/// (output redirected, or <c>plain</c> asked for) one text line per epoch, e.g.
/// <c>epoch 1/3  train_loss 0.4123  valid_loss 0.3011  accuracy 0.9123  12.3s</c>, and a line per cancellation.
/// The numbers come from the attached <see cref="AvgStats"/>; without one only the epoch and time are shown.
/// <para>
/// Per-batch work is kept tiny: in plain mode nothing happens per batch; in live mode a counter is bumped and the loss is
/// read from the device at most ten times a second. The display itself is drawn from a background thread.
/// This is the only part of the library that writes to a console.
/// </para>
/// </summary>
public sealed class ProgressDisplay : Callback
{
    private static readonly long RefreshTicks = Stopwatch.Frequency / 10;

    private readonly IAnsiConsole console;
    private readonly bool plainRequested;
    private readonly Stopwatch epochClock = new();
    private AvgStats? stats;
    private LiveView? live;
    private long lastLossRead;

    /// <summary>Shows progress on <paramref name="console"/> (default: the process's console).</summary>
    /// <param name="console">Where to draw; tests pass one made with <c>AnsiConsole.Create</c> over a <see cref="StringWriter"/>.</param>
    /// <param name="plain">Print plain lines even on an interactive terminal (e.g. for logs).</param>
    public ProgressDisplay(IAnsiConsole? console = null, bool plain = false)
    {
        this.console = console ?? AnsiConsole.Console;
        plainRequested = plain;
    }

    /// <summary>Prints plain lines to <paramref name="writer"/> (no colours, no cursor movement).</summary>
    public ProgressDisplay(TextWriter writer) : this(PlainConsole(writer), plain: true) { }

    /// <summary>True when progress is shown as plain lines rather than live bars.</summary>
    public bool Plain => plainRequested || !console.Profile.Capabilities.Interactive;

    /// <inheritdoc />
    public override int Order => CallbackOrder.Progress;

    /// <inheritdoc />
    public override string Name => "Progress";

    /// <inheritdoc />
    public override void BeforeFit()
    {
        Learner.TryGet(out AvgStats found);
        stats = found;
        if (!Plain) live = LiveView.Start(console, Learner.Epochs, Learner.ItersPerEpoch);
    }

    /// <inheritdoc />
    public override void BeforeEpoch()
    {
        epochClock.Restart();
        live?.StartEpoch(Learner.Epoch, Learner.Epochs);
    }

    /// <inheritdoc />
    public override void BeforeTrain() => live?.StartPass("train", Learner.ItersPerEpoch, Learner.Iter);

    /// <inheritdoc />
    public override void BeforeValidate() => live?.StartPass("valid", Learner.Data.Valid.BatchCount, 0);

    /// <inheritdoc />
    public override void AfterBatch()
    {
        if (live is null) return;
        live.BatchDone();
        var l = Learner;
        if (!l.Training || l.Loss is null) return;
        long now = Stopwatch.GetTimestamp();
        if (now - lastLossRead < RefreshTicks) return;
        lastLossRead = now;
        live.Loss = l.Loss.item<float>();
    }

    /// <inheritdoc />
    public override void AfterCancelTrain() => Cancelled("training");

    /// <inheritdoc />
    public override void AfterCancelValidate() => Cancelled("validation");

    /// <inheritdoc />
    public override void AfterCancelEpoch() => Cancelled("the epoch");

    /// <inheritdoc />
    public override void AfterCancelFit() => Emit($"fit cancelled in epoch {Learner.Epoch + 1}/{Learner.Epochs}");

    /// <inheritdoc />
    public override void AfterEpoch()
    {
        var l = Learner;
        var seconds = epochClock.Elapsed.TotalSeconds;
        var train = stats?.Train is { } t && t.Epoch == l.Epoch ? t : null;
        var valid = stats?.Valid is { } v && v.Epoch == l.Epoch ? v : null;
        var metrics = (stats?.MetricNames ?? []).Select(m => (Name: m, Value: valid?.Metrics[m])).ToList();
        if (live is null)
        {
            var line = new StringBuilder();
            line.Append(CultureInfo.InvariantCulture, $"epoch {l.Epoch + 1}/{l.Epochs}");
            if (stats is not null)
            {
                line.Append("  train_loss ").Append(Num(train?.Loss)).Append("  valid_loss ").Append(Num(valid?.Loss));
                foreach (var (name, value) in metrics) line.Append("  ").Append(name).Append(' ').Append(Num(value));
            }
            line.Append("  ").Append(seconds.ToString("0.0", CultureInfo.InvariantCulture)).Append('s');
            WriteLine(line.ToString());
            return;
        }
        var table = new Table().Border(TableBorder.None);
        table.ShowHeaders = l.Epoch == 0 || live.RowsShown == 0;
        table.AddColumn(Column("epoch", 7));
        string[] cells = [$"{l.Epoch + 1}/{l.Epochs}"];
        if (stats is not null)
        {
            table.AddColumn(Column("train_loss", 10)).AddColumn(Column("valid_loss", 10));
            foreach (var (name, _) in metrics) table.AddColumn(Column(name, Math.Max(10, name.Length)));
            cells = [.. cells, Num(train?.Loss), Num(valid?.Loss), .. metrics.Select(m => Num(m.Value))];
        }
        table.AddColumn(Column("time", 8));
        cells = [.. cells, seconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"];
        table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());
        live.EpochDone(table);
    }

    /// <inheritdoc />
    public override void AfterFit()
    {
        var view = live;
        live = null;
        view?.Stop();
    }

    private void Cancelled(string what) => Emit($"epoch {Learner.Epoch + 1}/{Learner.Epochs}: {what} cancelled");

    private void Emit(string line)
    {
        if (live is not null) live.Post(new Text(line));
        else WriteLine(line);
    }

    private void WriteLine(string line) => console.WriteLine(line, Style.Plain);

    private static TableColumn Column(string header, int width) => new TableColumn(new Text(header)).RightAligned().Width(width);

    private static string Num(double? value) => value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    /// <summary>A console that writes plain text to <paramref name="writer"/>: no colours, no cursor control, not interactive.</summary>
    public static IAnsiConsole PlainConsole(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
    }

    /// <summary>
    /// The live display. Spectre's progress display is not meant to be touched from several threads, so one background
    /// thread owns it: the loop only sets numbers and posts rows, and the thread draws them about ten times a second.
    /// </summary>
    private sealed class LiveView : IDisposable
    {
        private readonly ConcurrentQueue<Spectre.Console.Rendering.IRenderable> rows = new();
        private readonly ManualResetEventSlim ready = new();
        private readonly ManualResetEventSlim wake = new();
        private readonly Thread thread;
        private volatile bool stopping;
        private Exception? failure;
        private ProgressTask? epochs, batches;
        private string phase = "train";
        private volatile float loss = float.NaN;

        private LiveView(IAnsiConsole console, int epochCount, int batchCount)
        {
            thread = new Thread(() => Run(console, epochCount, batchCount)) { IsBackground = true, Name = "Trainwright progress" };
        }

        public int RowsShown { get; private set; }

        public float Loss { set => loss = value; }

        public static LiveView Start(IAnsiConsole console, int epochCount, int batchCount)
        {
            var view = new LiveView(console, epochCount, batchCount);
            view.thread.Start();
            view.ready.Wait();
            if (view.failure is not null)
            {
                view.Dispose();
                throw new InvalidOperationException($"The progress display could not start: {view.failure.Message}", view.failure);
            }
            return view;
        }

        public void StartEpoch(int epoch, int epochCount)
        {
            epochs!.Value = epoch;
            epochs.Description = $"epoch {epoch + 1}/{epochCount}";
        }

        public void StartPass(string name, int batchCount, int done)
        {
            phase = name;
            batches!.MaxValue = Math.Max(1, batchCount);
            batches.Value = done;
        }

        public void BatchDone() => batches!.Increment(1);

        public void EpochDone(Table row)
        {
            epochs!.Increment(1);
            Post(row);
            RowsShown++;
        }

        public void Post(Spectre.Console.Rendering.IRenderable item)
        {
            rows.Enqueue(item);
            wake.Set();
        }

        /// <summary>Draws what is left, ends the display and reports a failure of the drawing thread.</summary>
        public void Stop()
        {
            Dispose();
            if (failure is not null) throw new InvalidOperationException($"The progress display failed: {failure.Message}", failure);
        }

        public void Dispose()
        {
            stopping = true;
            wake.Set();
            thread.Join();
            ready.Dispose();
            wake.Dispose();
        }

        private void Run(IAnsiConsole console, int epochCount, int batchCount)
        {
            try
            {
                var progress = console.Progress();
                progress.AutoRefresh = false;
                progress.AutoClear = false;
                progress.HideCompleted = false;
                progress.Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn());
                progress.Start(ctx =>
                {
                    epochs = ctx.AddTask($"epoch 1/{epochCount}", maxValue: Math.Max(1, epochCount));
                    batches = ctx.AddTask("train", maxValue: Math.Max(1, batchCount));
                    ready.Set();
                    while (true)
                    {
                        bool last = stopping;
                        while (rows.TryDequeue(out var row)) console.Write(row);
                        float l = loss;
                        // The loss shown is the latest training loss, so it is shown only while training.
                        batches.Description = float.IsNaN(l) || phase != "train" ? phase : string.Create(CultureInfo.InvariantCulture, $"{phase}  loss {l:0.0000}");
                        ctx.Refresh();
                        if (last) break;
                        wake.Wait(TimeSpan.FromMilliseconds(100));
                        wake.Reset();
                    }
                });
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                ready.Set();
            }
        }
    }
}
