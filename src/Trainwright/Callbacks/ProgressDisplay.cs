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

    private readonly Lazy<IAnsiConsole> console;
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
        // The process's console is made when first used: making it probes the terminal (and loads Spectre.Console), which
        // a fit with plain lines does not need before its first epoch ends.
        this.console = console is null ? new Lazy<IAnsiConsole>(() => AnsiConsole.Console) : new Lazy<IAnsiConsole>(console);
        plainRequested = plain;
    }

    /// <summary>Prints plain lines to <paramref name="writer"/> (no colours, no cursor movement).</summary>
    public ProgressDisplay(TextWriter writer) : this(PlainConsole(writer), plain: true) { }

    /// <summary>True when progress is shown as plain lines rather than live bars.</summary>
    public bool Plain => plainRequested || !console.Value.Profile.Capabilities.Interactive;

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit;

    /// <inheritdoc />
    public override bool ReportsTraining => true;

    /// <inheritdoc />
    public override bool OnePerLearner => true;

    /// <inheritdoc />
    public override int Order => CallbackOrder.Progress;

    /// <inheritdoc />
    public override string Name => "Progress";

    /// <inheritdoc />
    public override void BeforeFit()
    {
        Learner.TryGet(out AvgStats found);
        stats = found;
        if (!Plain) live = LiveView.Start(console.Value, Learner.Epochs, Learner.ItersPerEpoch + Learner.Data.Valid.BatchCount);
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
    public override void AfterCancelFit() => Emit($"fit cancelled in epoch {EpochLabel()}{Because()}");

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
            line.Append(CultureInfo.InvariantCulture, $"epoch {EpochLabel()}");
            if (stats is not null)
            {
                line.Append("  train_loss ").Append(Num(train?.Loss)).Append("  valid_loss ").Append(Num(valid?.Loss));
                foreach (var (name, value) in metrics) line.Append("  ").Append(name).Append(' ').Append(Num(value));
            }
            line.Append("  ").Append(seconds.ToString("0.0", CultureInfo.InvariantCulture)).Append('s');
            WriteLine(line.ToString());
            return;
        }
        // Plain strings in fixed-width columns rather than a Spectre table: each line is padded to the terminal's width
        // (see LiveView.Post), so it covers every character of the progress lines it is drawn over.
        var columns = new List<(string Header, int Width, string Cell)> { ("epoch", l.FitCount > 1 ? 16 : 7, EpochLabel()) };
        if (stats is not null)
        {
            columns.Add(("train_loss", 10, Num(train?.Loss)));
            columns.Add(("valid_loss", 10, Num(valid?.Loss)));
            columns.AddRange(metrics.Select(m => (m.Name, Math.Max(10, m.Name.Length), Num(m.Value))));
        }
        columns.Add(("time", 8, seconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"));
        if (l.Epoch == 0 || live.RowsShown == 0)
            live.Post(string.Join("  ", columns.Select(c => c.Header.PadLeft(c.Width))));
        live.EpochDone(string.Join("  ", columns.Select(c => c.Cell.PadLeft(c.Width))));
    }

    /// <inheritdoc />
    public override void AfterFit()
    {
        var view = live;
        live = null;
        view?.Stop();
    }

    private void Cancelled(string what) => Emit($"epoch {EpochLabel()}: {what} cancelled{Because()}");

    private string Because() => Learner.Cancellation?.Reason is { } reason ? $": {reason}" : "";

    /// <summary>
    /// "3/5" in a learner's first fit; from its second fit on (fastai restarts the epoch count at every fit, and so do
    /// we), prefixed by the fit's number, "fit 2, 3/5", so two fits' rows cannot be taken for one another.
    /// </summary>
    private string EpochLabel()
    {
        var l = Learner;
        var epoch = $"{l.Epoch + 1}/{l.Epochs}";
        return l.FitCount > 1 ? $"{epoch} (fit {l.FitCount})" : epoch;
    }

    private void Emit(string line)
    {
        if (live is not null) live.Post(line);
        else WriteLine(line);
    }

    // Straight to the console's writer: Spectre would wrap text at its profile's width, which is 80 columns whenever
    // output is redirected, and a log line must stay one line however many metrics it holds.
    private void WriteLine(string line) => console.Value.Profile.Out.Writer.WriteLine(line);

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
    /// thread owns it: the loop only sets numbers and posts lines, and the thread draws them about ten times a second.
    /// <para>
    /// The epoch bar moves with every batch of the epoch (training and validation), so a one-epoch fit does not sit at 0%.
    /// Each pass gets a bar of its own: Spectre estimates the remaining time from the bar's own history, so a validation
    /// bar that reused the training bar (reset to 0, different batch cost) showed a meaningless estimate.
    /// </para>
    /// </summary>
    private sealed class LiveView : IDisposable
    {
        private readonly ConcurrentQueue<string> lines = new();
        private readonly ManualResetEventSlim ready = new();
        private readonly ManualResetEventSlim wake = new();
        private readonly Thread thread;
        private readonly int batchesPerEpoch;
        private volatile bool stopping;
        private Exception? failure;
        private ProgressContext? context;
        private ProgressTask? epochs;
        private volatile ProgressTask? batches;
        private volatile string phase = "train";
        private volatile float loss = float.NaN;
        private int epoch;
        private int epochBatchesDone;

        private LiveView(IAnsiConsole console, int epochCount, int batchesPerEpoch)
        {
            this.batchesPerEpoch = Math.Max(1, batchesPerEpoch);
            thread = new Thread(() => Run(console, epochCount)) { IsBackground = true, Name = "Trainwright progress" };
        }

        public int RowsShown { get; private set; }

        public float Loss { set => loss = value; }

        public static LiveView Start(IAnsiConsole console, int epochCount, int batchesPerEpoch)
        {
            var view = new LiveView(console, epochCount, batchesPerEpoch);
            view.thread.Start();
            view.ready.Wait();
            if (view.failure is not null)
            {
                view.Dispose();
                throw new InvalidOperationException($"The progress display could not start: {view.failure.Message}", view.failure);
            }
            return view;
        }

        public void StartEpoch(int index, int epochCount)
        {
            epoch = index;
            epochBatchesDone = 0;
            epochs!.Value = (double)index * batchesPerEpoch;
            epochs.Description = $"epoch {index + 1}/{epochCount}";
        }

        public void StartPass(string name, int batchCount, int done)
        {
            batches?.StopTask();
            phase = name;
            var task = context!.AddTask(name, maxValue: Math.Max(1, batchCount));
            task.Value = done;
            epochBatchesDone += done;
            batches = task;
            UpdateEpochBar();
        }

        public void BatchDone()
        {
            batches!.Increment(1);
            epochBatchesDone++;
            UpdateEpochBar();
        }

        public void EpochDone(string row)
        {
            epochs!.Value = (double)(epoch + 1) * batchesPerEpoch;
            Post(row);
            RowsShown++;
        }

        public void Post(string line)
        {
            lines.Enqueue(line);
            wake.Set();
        }

        private void UpdateEpochBar() =>
            epochs!.Value = (double)epoch * batchesPerEpoch + Math.Min(epochBatchesDone, batchesPerEpoch);

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

        private void Run(IAnsiConsole console, int epochCount)
        {
            try
            {
                var progress = console.Progress();
                progress.AutoRefresh = false;
                progress.AutoClear = false;
                progress.HideCompleted = true;
                progress.Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn());
                progress.Start(ctx =>
                {
                    context = ctx;
                    epochs = ctx.AddTask($"epoch 1/{epochCount}", maxValue: (double)Math.Max(1, epochCount) * batchesPerEpoch);
                    ready.Set();
                    while (true)
                    {
                        bool last = stopping;
                        // A line is written where the live bars were drawn; padded to the full width, it leaves none of
                        // their characters behind (Spectre moves the cursor up over the bars but does not erase them).
                        int width = Math.Max(1, console.Profile.Width);
                        while (lines.TryDequeue(out var line))
                            console.Write(new Text((line.Length < width ? line.PadRight(width) : line) + "\n"));
                        float l = loss;
                        // The loss shown is the latest training loss, so it is shown only while training.
                        if (batches is { } pass)
                            pass.Description = float.IsNaN(l) || phase != "train" ? phase : string.Create(CultureInfo.InvariantCulture, $"{phase}  loss {l:0.0000}");
                        // Finished bars are hidden, so the final picture is the table of epochs.
                        if (last) batches?.StopTask();
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
