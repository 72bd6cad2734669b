using System.Globalization;
using Trainwright.Learning;
using static TorchSharp.torch;

namespace Trainwright.Callbacks;

/// <summary>
/// Writes resumable checkpoints (model, optimizer, loop position, RNG state) into a folder: <c>checkpoint-last</c>
/// at the end of every epoch, and <c>checkpoint-best</c> whenever the monitored value improves. Every write is atomic.
/// When a fit is stopped mid-epoch (for example by Ctrl+C), <c>checkpoint-last</c> records the batch reached, so a
/// resumed fit continues from there. Checkpoints are never overwritten with non-finite weights or after
/// <see cref="TerminateOnNaN"/> stopped the fit, so the last good one is kept. With <see cref="RestoreBestWeights"/> the
/// model holds the weights of <c>checkpoint-best</c> when the fit ends. The monitored name is checked when the fit starts
/// (when an <see cref="AvgStats"/> is attached; without one only <c>checkpoint-last</c> is written).
/// </summary>
public sealed class SaveModel : Callback, IFitResultContributor
{
    /// <summary>File name of the checkpoint written every epoch.</summary>
    public const string LastFileName = "checkpoint-last";
    /// <summary>File name of the checkpoint of the best epoch.</summary>
    public const string BestFileName = "checkpoint-best";

    private readonly ImprovementTracker? monitor;
    private int? batchesDone; // training batches of this epoch done so far (an int: no allocation per batch)
    private bool trainCut;
    private bool firstEpoch;
    private bool wroteBest;

    /// <summary>Creates the callback.</summary>
    /// <param name="directory">Folder for the checkpoints (created when missing).</param>
    /// <param name="monitor">AvgStats value that decides the best epoch (e.g. valid_loss); null to write only the last.</param>
    /// <param name="mode">Whether lower or higher is better (Auto: lower for losses).</param>
    public SaveModel(string directory, string? monitor = "valid_loss", MonitorMode mode = MonitorMode.Auto)
    {
        if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("Give a folder to write checkpoints into.", nameof(directory));
        Directory = directory;
        this.monitor = monitor is null ? null : new ImprovementTracker(monitor, mode);
    }

    /// <inheritdoc />
    public override int Order => CallbackOrder.SaveModel;

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit;

    /// <summary>
    /// When true, the weights of <c>checkpoint-best</c> are loaded back into the model when the fit ends (if this fit wrote
    /// one), so the model holds the best epoch's weights rather than the last's (Keras' <c>restore_best_weights</c>). Off by default.
    /// </summary>
    public bool RestoreBestWeights { get; init; }

    /// <summary>The 1-based epoch of <see cref="Best"/> in this fit, or null.</summary>
    public int? BestEpoch => monitor?.BestEpoch;

    /// <summary>The folder checkpoints go into.</summary>
    public string Directory { get; }

    /// <summary>Path of the checkpoint written every epoch.</summary>
    public string LastPath => Path.Combine(Directory, LastFileName);

    /// <summary>Path of the best epoch's checkpoint.</summary>
    public string BestPath => Path.Combine(Directory, BestFileName);

    /// <summary>The best monitored value so far.</summary>
    public double? Best => monitor?.Best;

    /// <summary>
    /// Key/value pairs added to every checkpoint's metadata (e.g. the model kind and sizes, so a tool can rebuild the model
    /// before loading). Keys the callback writes itself (<c>epoch</c> and the AvgStats values) take precedence.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExtraMetadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Why the last checkpoint was not written, or null when it was.</summary>
    public string? SkippedReason { get; private set; }

    /// <inheritdoc />
    public override void BeforeFit()
    {
        if (monitor is not null && Learner.TryGet<AvgStats>(out _)) monitor.Check(Learner, Name);
        monitor?.Reset();
        firstEpoch = true;
        wroteBest = false;
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <inheritdoc />
    public override void BeforeEpoch()
    {
        // A resumed fit (it starts past epoch 0 or batch 0) continues the run that wrote checkpoint-best, so it must
        // beat that run's best, not just the best since the resume.
        if (firstEpoch && monitor is not null && (Learner.Epoch > 0 || Learner.TrainIter > 0) && File.Exists(BestPath)
            && Checkpoint.ReadInfo(BestPath).Metadata.TryGetValue(monitor.Name, out var saved)
            && double.TryParse(saved, NumberStyles.Float, CultureInfo.InvariantCulture, out var best))
            monitor.StartFrom(best);
        firstEpoch = false;
        batchesDone = null;
        trainCut = false;
    }

    /// <inheritdoc />
    public override void AfterBatch()
    {
        if (Learner.Training) batchesDone = Learner.Iter + 1;
    }

    /// <inheritdoc />
    public override void AfterCancelTrain() => trainCut = true;

    /// <inheritdoc />
    public override void AfterCancelEpoch() => trainCut = true;

    /// <inheritdoc />
    public override void AfterEpoch()
    {
        var l = Learner;
        SkippedReason = WhyNotSave();
        if (SkippedReason is not null) return;
        bool epochDone = trainCut || batchesDone is not { } done || done >= l.ItersPerEpoch;
        // Validation changes neither TrainIter nor EpochFraction, so they still say where training stopped.
        var position = epochDone ? LoopPosition.AfterEpoch(l) : new LoopPosition(l.Epoch, batchesDone!.Value, l.TrainIter, l.EpochFraction);
        var meta = Metadata(l);
        Checkpoint.Save(LastPath, l, position, meta);
        bool validated = l.TryGet<AvgStats>(out var stats) && stats.Valid?.Epoch == l.Epoch;
        if (monitor is not null && epochDone && validated && monitor.Improved(monitor.Read(l, Name), l.Epoch + 1))
        {
            Checkpoint.Save(BestPath, l, position, meta);
            wroteBest = true;
        }
    }

    /// <inheritdoc />
    public override void AfterFit()
    {
        if (RestoreBestWeights && wroteBest) Checkpoint.LoadWeights(BestPath, Learner.Model);
    }

    /// <inheritdoc />
    public FitResult Contribute(FitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return monitor is null || result.Monitor is not null ? result
            : result with { Monitor = monitor.Name, Best = monitor.Best, BestEpoch = monitor.BestEpoch };
    }

    /// <summary>Writes a checkpoint of the current state to <paramref name="path"/> right now (e.g. on a signal).</summary>
    public void SaveNow(string path) => Checkpoint.Save(path, Learner, LoopPosition.AfterBatch(Learner), Metadata(Learner));

    private string? WhyNotSave()
    {
        var l = Learner;
        if (l.TryGet<TerminateOnNaN>(out var nan) && nan.Stopped) return $"the loss was not finite ({nan.StoppedAt})";
        using var _ = no_grad();
        foreach (var (name, p) in l.Model.named_parameters())
            if (!p.isfinite().all().item<bool>()) return $"parameter '{name}' holds non-finite values";
        return null;
    }

    private Dictionary<string, string> Metadata(Learner l)
    {
        var meta = new Dictionary<string, string>(ExtraMetadata) { ["epoch"] = (l.Epoch + 1).ToString(CultureInfo.InvariantCulture) };
        if (l.TryGet<AvgStats>(out var stats))
            foreach (var name in stats.ValueNames)
                if (stats.TryGetValue(name, out var v)) meta[name] = v.ToString("R", CultureInfo.InvariantCulture);
        return meta;
    }
}
