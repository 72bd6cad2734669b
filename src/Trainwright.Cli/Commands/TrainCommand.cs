using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Cli.DataSources;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Runs;
using Trainwright.Cli.Settings;
using Trainwright.Distributed;
using Trainwright.Inference;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Optim;
using Trainwright.Platform;
using Trainwright.Schedules;
using Trainwright.Metrics;

namespace Trainwright.Cli.Commands;

/// <summary>
/// <c>trainwright train</c>: trains a classifier, writing metrics, plots, checkpoints and a summary. A run is prepared
/// (settings, data, model, output folder, all checked before anything is written), gets its callbacks, fits, and reports.
/// </summary>
internal sealed class TrainCommand
{
    private readonly TrainingOptions options = TrainingOptions.ForTrain();
    private readonly Option<int> batchDelay = new("--batch-delay-ms") { Hidden = true, DefaultValueFactory = _ => 0 };

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("train", "Train on MNIST, an IDX folder, an image folder or a table (CSV, TSV, Parquet); Ctrl+C stops after the current batch and saves a resumable checkpoint. Data-parallel over Open MPI: mpirun -np N trainwright train … (--bs is per process; see docs/distributed.md)");
        options.AddTo(command);
        command.Options.Add(batchDelay);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    /// <summary>Everything one run holds while it trains; disposing it releases the data, the folder lock and MPI.</summary>
    private sealed class Run : IDisposable
    {
        public required RunSettings Settings { get; init; }
        public required CheckpointInfo? Resumed { get; init; }
        public required ITrainingData Data { get; init; }
        public required ModelSpec Spec { get; init; }
        public required Learner Learner { get; init; }
        public required DistributedSession Distributed { get; init; }
        public required AvgStats Stats { get; init; }
        public Recorder Recorder { get; } = new();
        public TerminateOnNaN Nan { get; } = new();
        public StopSignals Signals { get; } = new(Console.Error);
        public RunLock? Lock { get; set; }
        public SaveModel? SaveModel { get; set; }
        public StopOnSignal? Stop { get; set; }
        public bool AlreadyFinished { get; set; }
        public IReadOnlyList<string> DataFiles { get; set; } = [];
        public string LastPath => Path.Combine(Settings.Out, SaveModel.LastFileName);
        public string CsvPath => Path.Combine(Settings.Out, "metrics.csv");

        public void Dispose()
        {
            Signals.Dispose();
            Lock?.Dispose();
            Distributed.Dispose();
            Data.Dispose();
        }
    }

    private int Execute(ParseResult result)
    {
        StartupProbe.Mark("command line parsed");
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.Now;
        ErrorReport.OnlyRankZeroReports = true;
        using var run = Prepare(result);
        ErrorReport.OnlyRankZeroReports = false;
        if (run.AlreadyFinished)
        {
            if (run.Distributed.IsRankZero)
                Console.WriteLine($"'{run.Settings.Resume}' is a finished run: all {Epochs(run.Settings.Epochs)} are done, nothing changed. "
                    + "To train further, resume it with a larger --epochs.");
            return ExitCodes.Ok;
        }
        JobEnd.Watch(run.Distributed, run.Signals, () => DescribeResume(run));
        if (!run.Distributed.IsRankZero)
        {
            Fit(run.Learner, run.Settings);
            return ExitCodes.Ok;
        }
        StartupProbe.Mark("output folder claimed");
        AttachCallbacks(run, result);
        StartupProbe.Mark("callbacks");
        PrintHeader(run);
        StartupProbe.Mark("header printed");
        var fitClock = Stopwatch.StartNew();
        Fit(run.Learner, run.Settings);
        fitClock.Stop();
        return Report(run, started, clock.Elapsed, fitClock.Elapsed);
    }

    /// <summary>
    /// Resolves the settings, loads the data, builds the model and learner, and (on rank 0) claims and checks the output
    /// folder. Under MPI every process learns whether any process refused, so all of them stop together.
    /// </summary>
    private Run Prepare(ParseResult result)
    {
        CheckpointInfo? resumed = null;
        if (result.GetValue(options.Resume!) is { } resumeText && !string.IsNullOrWhiteSpace(resumeText))
            resumed = ResumeCheck.Read("--resume", Path.GetFullPath(resumeText), "give the checkpoint-last of a stopped run.");
        var settings = RunSettings.From(result, options, resumed?.Metadata, OutputFolder.NewRunFolder());
        StartupProbe.Mark("settings");
        // libtorch may still be loading (Program starts it): the count is set when the data source waits for it.
        ThreadDefaults.ChooseForTraining(settings.Threads);

        var data = Registry.Open(DataRequest.For(settings, resumed is null ? null : DataKeys.DecodeNames(resumed.Metadata)) with
        {
            Checkpoint = resumed?.Metadata,
            Progress = DataProgress.Writer(),
            ProgressIsTerminal = DataProgress.IsTerminal(settings.NoProgress),
        });
        StartupProbe.Mark("data read, libtorch loaded");
        DistributedSession? distributed = null;
        try
        {
            TorchNative.EnsureLoaded(); // done by every source before its first tensor; here too before the model's
            var kind = settings.Model ?? Registry.DefaultModelFor(settings.Data);
            data.CheckModel(kind);
            settings = settings with { Model = kind };
            var spec = ModelSpec.For(kind, settings, data.Shape);
            if (resumed is not null && ModelSpec.FromMetadata(resumed.Metadata) is { } saved && saved != spec)
                throw new CliException(
                    $"--resume '{settings.Resume}' holds the model '{saved.Describe()}' but this run builds '{spec.Describe()}'; "
                    + "drop the options that change the model or its inputs (--model, --hidden, --net-width, --layers, --size, --channels, --data) to continue that run, or start a new run without --resume.");
            var bunch = data.ToDataBunch(settings.BatchSize, settings.Workers, settings.Seed);
            StartupProbe.Mark("model spec, data bunch");
            var learner = LearnerFactory.Create(data, spec, bunch, TrainingRecipe.For(kind), settings.Optimizer, settings.Lr, settings.Wd, settings.Seed, augment: true, []);
            // Without --threads, training times every core against one thread and keeps the faster, so a competing
            // process cannot make the thread pool collapse (docs/benchmarks.md, "threads").
            if (settings.Threads is null && ThreadDefaults.Training > 1) learner.Add(new ThreadTuner(ThreadDefaults.Training));
            StartupProbe.Mark("learner");
            // Under mpirun every process trains its shard; only rank 0 writes files or prints. Without mpirun this is a no-op.
            MpiUsable.Require(Mpi.TryInitialize());
            distributed = DistributedTraining.Setup(learner, shardValidation: true);
            StartupProbe.Mark("MPI check");
            var run = new Run
            {
                Settings = settings, Resumed = resumed, Data = data, Spec = spec, Learner = learner, Distributed = distributed,
                Stats = new AvgStats([.. data.Metrics]),
            };
            foreach (var cb in new Callback[] { run.Stats, run.Recorder, run.Nan }) learner.Add(cb);
            CliException? refusal = null;
            try
            {
                if (distributed.IsRankZero) ClaimOutput(run);
            }
            catch (CliException e)
            {
                refusal = e;
            }
            Agree(distributed, refusal, run);
            return run;
        }
        catch
        {
            distributed?.Dispose();
            data.Dispose();
            throw;
        }
    }

    /// <summary>Rank 0's checks of the output folder and the resume, then the folder lock and the cleanup of a killed save.</summary>
    private static void ClaimOutput(Run run)
    {
        var s = run.Settings;
        if (run.Resumed is not null)
        {
            run.AlreadyFinished = ResumeCheck.IsFinished(run.Resumed, s, RunSettings.FromMetadata(run.Resumed.Metadata));
            if (run.AlreadyFinished) return;
        }
        if (s.Resume is null && File.Exists(run.LastPath))
            throw new CliException(
                $"'{s.Out}' already holds a run ({SaveModel.LastFileName}); continue it with --resume {ShellCommand.Quote(run.LastPath)}, "
                + "or choose another --out.");
        OutputFolder.EnsureWritable(s.Out);
        run.Lock = RunLock.Acquire(s.Out);
        OutputFolder.RemoveStaleTemporaries(s.Out);
        if (s.Resume is not null) ResumeCheck.PrepareOutput(s);
        // The whole checkpoint (weights, optimizer and RNG state, each against its checksum) before the fit touches anything.
        if (s.Resume is not null) CheckResumable(s.Resume, run.Learner);
        run.DataFiles = run.Data.WriteRunFiles(s.Out);
    }

    /// <summary>
    /// Under MPI, one all-reduce tells every process whether any refused to start: the lowest refusing rank prints its
    /// line, and every process exits with code 1 at once instead of waiting in the first gradient all-reduce forever.
    /// </summary>
    private static void Agree(DistributedSession distributed, CliException? refusal, Run run)
    {
        if (!distributed.IsDistributed)
        {
            if (refusal is not null) throw refusal;
            return;
        }
        var refusing = new[] { refusal is null ? long.MaxValue : distributed.Rank };
        distributed.Communicator.AllReduce(refusing, ReduceOp.Min);
        var finished = new[] { run.AlreadyFinished ? 1L : 0L };
        distributed.Communicator.AllReduce(finished, ReduceOp.Max);
        run.AlreadyFinished = finished[0] == 1;
        // Agreed: from here the lowest refusing rank prints, whichever it is.
        ErrorReport.OnlyRankZeroReports = false;
        if (refusing[0] == long.MaxValue) return;
        if (refusal is not null && refusing[0] == distributed.Rank) throw refusal;
        throw new CliException("", ExitCodes.BadInput); // another process printed why
    }

    private void AttachCallbacks(Run run, ParseResult result)
    {
        var s = run.Settings;
        var learner = run.Learner;
        run.SaveModel = new SaveModel(s.Out)
        {
            ExtraMetadata = new Dictionary<string, string>(run.Spec.ToMetadata().Concat(s.ToMetadata()).Concat(run.Data.Metadata)),
        };
        learner.Add(run.SaveModel);
        // A signal can stop one process alone; under MPI the others would wait for it forever, so mpirun's own
        // handling (stop everything) applies there, and a run resumes from the last epoch's checkpoint.
        if (!run.Distributed.IsDistributed)
        {
            run.Stop = new StopOnSignal(run.Signals);
            learner.Add(run.Stop);
        }
        learner.Add(new ProgressDisplay(plain: s.NoProgress));
        learner.Add(new CsvLogger(run.CsvPath, append: s.Resume is not null));
        learner.Add(new TensorBoardLogger(Path.Combine(s.Out, "tensorboard")));
        if (result.GetValue(batchDelay) is > 0 and var delay) learner.Add(new BatchDelay(delay));
        if (StartupProbe.Enabled) learner.Add(new StartupProbe());
    }

    private static void PrintHeader(Run run)
    {
        var s = run.Settings;
        Console.WriteLine($"Data:   {Indent(run.Data.Describe(), 8)}");
        foreach (var file in run.DataFiles) Console.WriteLine($"        wrote {file}");
        foreach (var warning in run.Data.Warnings) Console.Error.WriteLine($"warning: {warning}");
        Console.WriteLine($"Model:  {run.Spec.Describe()}{AugmentText(run)}, {Choices.Name(s.Optimizer)} lr {Num(s.Lr)}{Recipe(s).Describe(s.Optimizer)}{(s.Wd > 0 ? $" wd {Num(s.Wd)}" : "")}, "
            + $"{Choices.Name(s.Schedule)} schedule, {Epochs(s.Epochs)}, batch size {s.BatchSize}, seed {s.Seed}");
        if (run.Distributed.IsDistributed)
            Console.WriteLine($"MPI:    {run.Distributed.WorldSize} processes, batch size {s.BatchSize} each ({s.BatchSize * run.Distributed.WorldSize} in all)");
        if (run.Resumed is { } resumed)
            Console.WriteLine($"Resume: from '{s.Resume}' at epoch {resumed.Position.Epoch + 1}, batch {resumed.Position.BatchesDone}");
        Console.WriteLine($"Output: {s.Out}");
    }

    /// <summary>Continuation lines of a multi-line description (a table's column roles) line up under its first line.</summary>
    public static string Indent(string text, int columns) =>
        text.ReplaceLineEndings("\n").Replace("\n  ", "\n" + new string(' ', columns), StringComparison.Ordinal);

    private static string AugmentText(Run run) =>
        run.Data is not ImageTrainingData ? "" : run.Settings.Augment == AugmentKind.None ? ", no augmentation" : $", {Choices.Name(run.Settings.Augment)} augmentation";

    private static int Report(Run run, DateTimeOffset started, TimeSpan wall, TimeSpan fit)
    {
        var s = run.Settings;
        var stop = run.Stop;
        var saveModel = run.SaveModel!;
        var outcome = stop?.StoppedAt is not null ? "interrupted" : run.Nan.Stopped ? "non-finite-loss" : "completed";
        string? resumeCommand = null;
        if (stop?.StoppedAt is { } at)
        {
            var written = File.Exists(run.LastPath) ? Checkpoint.ReadInfo(run.LastPath) : null;
            if (saveModel.SkippedReason is not null || written?.Position != at)
                throw new CliException(
                    $"Stopped by {run.Signals.Name}, but no resumable checkpoint could be written ({saveModel.SkippedReason ?? WhyNotWritable(s.Out)}).",
                    run.Signals.ExitCode);
            resumeCommand = ShellCommand.Format((s with { Resume = run.LastPath }).ToArguments());
        }

        var plots = WritePlots(run.Recorder, s.Out);
        // The trained model travels as data, for predict, export and other programs (Predictor.Load).
        string? modelPath = null;
        if (outcome == "completed")
        {
            try
            {
                var description = run.Data.DescribeModel(run.Spec);
                modelPath = Path.Combine(s.Out, ModelFileLocation.FileName);
                run.Learner.Export(modelPath, description, new Dictionary<string, string>(run.Settings.ToMetadata()));
            }
            catch (CliException e)
            {
                // The training itself succeeded; say why there is no model file rather than failing the run.
                Console.Error.WriteLine($"warning: {ModelFileLocation.FileName} not written: {e.Message}");
            }
        }
        var summaryPath = Path.Combine(s.Out, "summary.json");
        RunSummary.Write(summaryPath, new RunSummary.Train(outcome, started, wall, fit, s, run.Spec,
            run.Data.Describe(), run.Data.Shape.ClassNames, run.Stats, saveModel, run.Nan.StoppedAt, stop?.StoppedAt, resumeCommand,
            [run.CsvPath, .. plots, run.LastPath, saveModel.BestPath, .. (modelPath is null ? Array.Empty<string>() : [modelPath]),
             Path.Combine(s.Out, "tensorboard"), summaryPath, .. run.DataFiles]));

        if (stop?.StoppedAt is { } stoppedAt)
        {
            Console.WriteLine($"Stopped by {run.Signals.Name} at epoch {stoppedAt.Epoch + 1}, after {stoppedAt.BatchesDone} of {run.Learner.ItersPerEpoch} batches; "
                + $"checkpoint saved: {run.LastPath}");
            Console.WriteLine($"Resume with: {resumeCommand}");
            return run.Signals.ExitCode;
        }
        if (run.Nan.Stopped)
        {
            var kept = File.Exists(run.LastPath) ? $"the last good checkpoint is kept: {run.LastPath}" : "no checkpoint had been written yet";
            throw new CliException($"Training stopped: the loss became NaN or infinite at {run.Nan.StoppedAt}; {kept}. Try a lower --lr.",
                ExitCodes.NonFiniteLoss);
        }

        Console.WriteLine();
        if (run.Stats.Valid is { } valid)
        {
            // The headline metric first (accuracy, or RMSE for regression), then any others.
            var names = run.Stats.MetricNames;
            var others = string.Concat(names.Skip(1).Select(n => $"{n} {valid.Metrics[n].ToString("G6", CultureInfo.InvariantCulture)}, "));
            Console.WriteLine($"Final validation {names[0]}: {valid.Metrics[names[0]].ToString("0.0000", CultureInfo.InvariantCulture)} "
                + $"({others}valid loss {Num(valid.Loss)}) after {Epochs(s.Epochs)}, {wall.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s");
        }
        Console.WriteLine($"Outputs in {s.Out}: metrics.csv, lr.png, loss.png, {SaveModel.LastFileName}, {SaveModel.BestFileName}, {ModelFileLocation.FileName}, tensorboard/, summary.json"
            + string.Concat(run.DataFiles.Select(f => ", " + Path.GetFileName(f))));
        return ExitCodes.Ok;
    }

    /// <summary>Where a distributed run that mpirun ended can resume from, for <see cref="JobEnd"/>'s line.</summary>
    private static string DescribeResume(Run run)
    {
        if (!File.Exists(run.LastPath)) return "no checkpoint had been written yet.";
        var at = Checkpoint.ReadInfo(run.LastPath).Position;
        var command = ShellCommand.Format((run.Settings with { Resume = run.LastPath }).ToArguments());
        return $"the last checkpoint is kept ({run.LastPath}, resumes at epoch {at.Epoch + 1}, batch {at.BatchesDone}); resume with: "
            + $"mpirun -np {run.Distributed.WorldSize} {command}";
    }

    /// <summary>Why the folder cannot take a checkpoint (e.g. the disk is full): the error the failed save met, found again.</summary>
    private static string WhyNotWritable(string folder)
    {
        try
        {
            OutputFolder.EnsureWritable(folder);
            return "the checkpoint on disk does not record the batch reached";
        }
        catch (CliException e)
        {
            return e.Message.TrimEnd('.');
        }
    }

    /// <summary>Loads the checkpoint once before the fit starts, so a wrong one fails before any output is touched.</summary>
    private static void CheckResumable(string path, Learner learner)
    {
        try
        {
            Checkpoint.Load(path, learner);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"--resume: {e.Message}", inner: e);
        }
    }

    private static void Fit(Learner learner, RunSettings s)
    {
        switch (s.Schedule)
        {
            case ScheduleKind.OneCycle:
                learner.FitOneCycle(s.Epochs, s.Lr, callbacks: Resume(s), cycleMomentum: Recipe(s).CyclesMomentum(s.Optimizer));
                break;
            case ScheduleKind.Cos:
                learner.Fit(s.Epochs, [new ParamScheduler(Hyper.Lr, Sched.Cos(s.Lr, 0)), .. Resume(s)]);
                break;
            case ScheduleKind.Const:
                // Fit's lr is set after a resumed checkpoint restores the optimizer's settings, so --lr wins.
                learner.Fit(s.Epochs, Resume(s), lr: s.Lr);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(s), s.Schedule, "Not a schedule.");
        }
    }

    private static TrainingRecipe Recipe(RunSettings s) => TrainingRecipe.For(s.Model ?? Registry.DefaultModelFor(s.Data));

    private static Callback[] Resume(RunSettings s) => s.Resume is null ? [] : [new ResumeFrom(s.Resume)];

    private static List<string> WritePlots(Recorder recorder, string folder)
    {
        var written = new List<string>();
        if (recorder.Losses.Count == 0) return written;
        var lr = Path.Combine(folder, "lr.png");
        recorder.PlotLr(lr);
        written.Add(lr);
        var loss = Path.Combine(folder, "loss.png");
        recorder.PlotLoss(loss);
        written.Add(loss);
        return written;
    }

    private static string Epochs(int n) => n == 1 ? "1 epoch" : $"{n} epochs";

    private static string Num(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
