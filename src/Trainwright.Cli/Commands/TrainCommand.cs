using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Trainwright.Callbacks;
using Trainwright.Distributed;
using Trainwright.Cli.Running;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Optim;
using Trainwright.Schedules;
using Trainwright.Metrics;

namespace Trainwright.Cli.Commands;

/// <summary><c>trainwright train</c>: trains a classifier, writing metrics, plots, checkpoints and a summary.</summary>
internal sealed class TrainCommand
{
    public const int DefaultEpochs = 3;

    private readonly SharedTrainingOptions shared = new();
    private readonly Option<int> epochs = CliOptions.AtLeast("--epochs", "Epochs to train", DefaultEpochs, 1);
    private readonly Option<string> schedule = CliOptions.Choice("--schedule",
        "Learning rate schedule: one-cycle (warm up then anneal, momentum inverse), cos (cosine from --lr to 0) or const",
        "one-cycle", ["one-cycle", "cos", "const"]);
    private readonly Option<string?> output = CliOptions.Out("runs/<yyyyMMdd-HHmmss>; with --resume, the checkpoint's folder");
    private readonly Option<string?> resume = new("--resume")
    {
        Description = "Continue a stopped run from its checkpoint (e.g. runs/<time>/checkpoint-last); options not given take that run's values",
        HelpName = "CKPT",
    };
    private readonly Option<bool> noProgress = new("--no-progress") { Description = "Print one plain line per epoch instead of live progress bars" };
    private readonly Option<int> batchDelay = new("--batch-delay-ms") { Hidden = true, DefaultValueFactory = _ => 0 };

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("train", "Train a classifier on MNIST or any MNIST-style IDX folder; Ctrl+C stops after the current batch and saves a resumable checkpoint. Data-parallel over Open MPI: mpirun -np N trainwright train … (--bs is per process; see docs/distributed.md)");
        shared.AddTo(command);
        command.Options.Add(epochs);
        command.Options.Add(schedule);
        command.Options.Add(output);
        command.Options.Add(resume);
        command.Options.Add(noProgress);
        command.Options.Add(batchDelay);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.Now;
        var (settings, resumed) = Resolve(result);
        ThreadDefaults.Apply(settings.Threads);

        using var data = DataSource.Load(settings.Data, settings.MaxItems);
        var spec = LearnerFactory.SpecFor(settings.Model, settings.Hidden, data);
        if (resumed is not null && ModelSpec.FromMetadata(resumed.Metadata) is { } saved && saved != spec)
            throw new CliException(
                $"--resume '{settings.Resume}' holds the model '{saved.Describe()}' but this run builds '{spec.Describe()}'; "
                + "drop the --model/--hidden/--data options to continue that run, or start a new run without --resume.");

        var lastPath = Path.Combine(settings.Out, SaveModel.LastFileName);
        var metadata = new Dictionary<string, string>(spec.ToMetadata().Concat(settings.ToMetadata()));
        var saveModel = new SaveModel(settings.Out) { ExtraMetadata = metadata };
        var nan = new TerminateOnNaN();
        var stats = new AvgStats(ClassificationMetrics.Accuracy);
        var recorder = new Recorder();
        var csvPath = Path.Combine(settings.Out, "metrics.csv");
        using var signals = new StopSignals(Console.Error);
        var stop = new StopOnSignal(signals);

        var bunch = data.ToDataBunch(settings.BatchSize, settings.Workers, settings.Seed);
        var learner = LearnerFactory.Create(spec, bunch, settings.Optimizer, settings.Lr, settings.Wd, settings.Seed, [stats, recorder, nan]);
        // Under mpirun every process trains its shard; only rank 0 writes files or prints. Without mpirun this is a no-op.
        using var distributed = DistributedTraining.Setup(learner, shardValidation: true);
        if (!distributed.IsRankZero)
        {
            Fit(learner, settings);
            return ExitCodes.Ok;
        }

        if (settings.Resume is null && File.Exists(lastPath))
            throw new CliException(
                $"'{settings.Out}' already holds a run ({SaveModel.LastFileName}); continue it with --resume {ShellCommand.Quote(lastPath)}, "
                + "or choose another --out.");
        OutputFolder.EnsureWritable(settings.Out);
        learner.Add(saveModel);
        // A signal can stop one process alone; under MPI the others would wait for it forever, so mpirun's own
        // handling (stop everything) applies there, and a run resumes from the last epoch's checkpoint.
        if (!distributed.IsDistributed) learner.Add(stop);
        learner.Add(new ProgressDisplay(plain: settings.NoProgress));
        learner.Add(new CsvLogger(csvPath, append: settings.Resume is not null));
        learner.Add(new TensorBoardLogger(Path.Combine(settings.Out, "tensorboard")));
        if (result.GetValue(batchDelay) is > 0 and var delay) learner.Add(new BatchDelay(delay));
        if (StartupProbe.Enabled) learner.Add(new StartupProbe());
        if (settings.Resume is not null) CheckResumable(settings.Resume, learner);

        Console.WriteLine($"Data:   {DataSource.Describe(data, settings.Data)}");
        Console.WriteLine($"Model:  {spec.Describe()}, {settings.Optimizer} lr {Num(settings.Lr)}{(settings.Wd > 0 ? $" wd {Num(settings.Wd)}" : "")}, "
            + $"{settings.Schedule} schedule, {Epochs(settings.Epochs)}, batch size {settings.BatchSize}, seed {settings.Seed}");
        if (distributed.IsDistributed)
            Console.WriteLine($"MPI:    {distributed.WorldSize} processes, batch size {settings.BatchSize} each ({settings.BatchSize * distributed.WorldSize} in all)");
        if (resumed is not null)
            Console.WriteLine($"Resume: from '{settings.Resume}' at epoch {resumed.Position.Epoch + 1}, batch {resumed.Position.BatchesDone}");
        Console.WriteLine($"Output: {settings.Out}");

        var fitClock = Stopwatch.StartNew();
        Fit(learner, settings);
        fitClock.Stop();

        var outcome = stop.StoppedAt is not null ? "interrupted" : nan.Stopped ? "non-finite-loss" : "completed";
        string? resumeCommand = null;
        if (stop.StoppedAt is { } at)
        {
            var written = Checkpoint.ReadInfo(lastPath);
            if (saveModel.SkippedReason is { } why || written.Position != at)
                throw new CliException($"Stopped by {signals.Name}, but no resumable checkpoint could be written ({saveModel.SkippedReason ?? "position mismatch"}).",
                    signals.ExitCode);
            resumeCommand = ShellCommand.Format((settings with { Resume = lastPath }).ToArguments());
        }

        var plots = WritePlots(recorder, settings.Out);
        var summaryPath = Path.Combine(settings.Out, "summary.json");
        RunSummary.Write(summaryPath, new RunSummary.Train(outcome, started, clock.Elapsed, fitClock.Elapsed, settings, spec,
            DataSource.Describe(data, settings.Data), stats, saveModel, nan.StoppedAt, stop.StoppedAt, resumeCommand,
            [csvPath, .. plots, lastPath, saveModel.BestPath, Path.Combine(settings.Out, "tensorboard"), summaryPath]));

        if (stop.StoppedAt is { } stoppedAt)
        {
            Console.WriteLine($"Stopped by {signals.Name} at epoch {stoppedAt.Epoch + 1}, after {stoppedAt.BatchesDone} of {learner.ItersPerEpoch} batches; "
                + $"checkpoint saved: {lastPath}");
            Console.WriteLine($"Resume with: {resumeCommand}");
            return signals.ExitCode;
        }
        if (nan.Stopped)
        {
            var kept = File.Exists(lastPath) ? $"the last good checkpoint is kept: {lastPath}" : "no checkpoint had been written yet";
            throw new CliException($"Training stopped: the loss became NaN or infinite at {nan.StoppedAt}; {kept}. Try a lower --lr.",
                ExitCodes.NonFiniteLoss);
        }

        Console.WriteLine();
        if (stats.Valid is { } valid)
            Console.WriteLine($"Final validation accuracy: {valid.Metrics["accuracy"].ToString("0.0000", CultureInfo.InvariantCulture)} "
                + $"(valid loss {Num(valid.Loss)}) after {Epochs(settings.Epochs)}, {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s");
        Console.WriteLine($"Outputs in {settings.Out}: metrics.csv, lr.png, loss.png, {SaveModel.LastFileName}, {SaveModel.BestFileName}, tensorboard/, summary.json");
        return ExitCodes.Ok;
    }

    /// <summary>Reads the options; with --resume, every option the user did not type takes the original run's value.</summary>
    private (TrainSettings Settings, CheckpointInfo? Resumed) Resolve(ParseResult result)
    {
        CheckpointInfo? resumed = null;
        string? resumePath = result.GetValue(resume);
        if (resumePath is not null)
        {
            resumePath = Path.GetFullPath(resumePath);
            if (Directory.Exists(resumePath))
                throw new CliException($"--resume '{resumePath}' is a folder; give its checkpoint file, e.g. {Path.Combine(resumePath, SaveModel.LastFileName)}.");
            if (!File.Exists(resumePath))
                throw new CliException($"--resume checkpoint '{resumePath}' does not exist; give the checkpoint-last of a stopped run.");
            try
            {
                resumed = Checkpoint.ReadInfo(resumePath);
            }
            catch (InvalidDataException e)
            {
                throw new CliException($"--resume: {e.Message} Give a checkpoint written by trainwright train.", inner: e);
            }
        }
        var meta = resumed?.Metadata;

        T Pick<T>(Option<T> option, string key, Func<string, T> parse) =>
            meta is not null && !result.Given(option) && meta.TryGetValue("train." + key, out var saved) ? parse(saved) : result.GetValue(option)!;
        static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
        static double Dbl(string s) => double.Parse(s, CultureInfo.InvariantCulture);

        var optimizer = Pick(shared.Optimizer, "opt", s => s);
        var dataDir = Pick(shared.Data, "data", s => s);
        var settings = new TrainSettings
        {
            Data = dataDir is null ? null : Path.GetFullPath(dataDir),
            Model = Pick(shared.Model, "model", s => s),
            Hidden = Pick(shared.Hidden, "hidden", Int),
            Epochs = Pick(epochs, "epochs", Int),
            BatchSize = Pick(shared.BatchSize, "bs", Int),
            Lr = Pick(shared.Lr, "lr", s => (double?)Dbl(s)) ?? (optimizer == "adam" ? CliOptions.DefaultAdamLr : CliOptions.DefaultSgdLr),
            Optimizer = optimizer,
            Schedule = Pick(schedule, "schedule", s => s),
            Wd = Pick(shared.Wd, "wd", Dbl),
            Seed = Pick(shared.Seed, "seed", Int),
            Workers = Pick(shared.Workers, "workers", Int),
            Threads = Pick(shared.Threads, "threads", s => (int?)Int(s)),
            MaxItems = Pick(shared.MaxItems, "max-items", s => (int?)Int(s)),
            NoProgress = result.GetValue(noProgress),
            Resume = resumePath,
            Out = Path.GetFullPath(result.GetValue(output)
                ?? (resumePath is not null ? Path.GetDirectoryName(resumePath)! : OutputFolder.NewRunFolder())),
        };
        return (settings, resumed);
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

    private static void Fit(Learner learner, TrainSettings s)
    {
        switch (s.Schedule)
        {
            case "one-cycle":
                learner.FitOneCycle(s.Epochs, s.Lr, callbacks: Resume(s));
                break;
            case "cos":
                learner.Fit(s.Epochs, [new ParamScheduler(Hyper.Lr, Sched.Cos(s.Lr, 0)), .. Resume(s)]);
                break;
            case "const":
                // Set by a scheduler rather than left in the optimizer: a resumed checkpoint restores the optimizer's
                // hyperparameters, which would otherwise override --lr.
                learner.Fit(s.Epochs, [new ParamScheduler(Hyper.Lr, Sched.Const(s.Lr)), .. Resume(s)]);
                break;
            default:
                throw new CliException($"Unknown --schedule '{s.Schedule}'; use one-cycle, cos or const.");
        }
    }

    private static Callback[] Resume(TrainSettings s) => s.Resume is null ? [] : [new ResumeFrom(s.Resume)];

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
