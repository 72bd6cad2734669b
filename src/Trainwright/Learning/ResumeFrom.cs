using Trainwright.Data;

namespace Trainwright.Learning;

/// <summary>
/// Continues a stopped fit from a checkpoint written by <see cref="Checkpoint.Save"/> (the SaveModel callback writes
/// them): pass it to <see cref="Learner.Fit"/>, e.g. <c>learner.Fit(5, [new ResumeFrom("runs/x/checkpoint-last")])</c>.
/// At <see cref="Event.BeforeFit"/> it loads weights, optimizer state and the RNG state, and moves the loop to the
/// epoch and batch counters the checkpoint holds; the first training pass then skips the batches already done (they
/// are still drawn, so data order and RNG match an uninterrupted run). It acts on the first fit it sees only.
/// </summary>
public sealed class ResumeFrom : Callback
{
    private int skip;
    private bool firstEpoch;

    /// <summary>Creates the callback.</summary>
    /// <param name="path">The checkpoint to continue from.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/> (checked now, not when the fit starts).</exception>
    public ResumeFrom(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("Give the checkpoint to resume from.", nameof(path));
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist; give the checkpoint-last or checkpoint-best file of the run to continue.", path);
        Path = path;
    }

    /// <summary>The checkpoint.</summary>
    public string Path { get; }

    /// <summary>What the checkpoint said about itself, once loaded.</summary>
    public CheckpointInfo? Loaded { get; private set; }

    /// <inheritdoc />
    public override int Order => CallbackOrder.Resume;

    /// <inheritdoc />
    public override void BeforeFit()
    {
        if (Loaded is not null) return;
        var l = Learner;
        Loaded = Checkpoint.Load(Path, l, restoreRandomState: true);
        var at = Loaded.Position;
        l.Epoch = at.Epoch;
        l.TrainIter = at.TrainIter;
        skip = at.BatchesDone;
        firstEpoch = true;
    }

    /// <inheritdoc />
    public override void BeforeEpoch()
    {
        if (!firstEpoch) return;
        firstEpoch = false;
        var l = Learner;
        // TrainEval (which runs before) starts the count at the epoch; the batches already done count too.
        l.EpochFraction = l.Epoch + (double)skip / Math.Max(1, l.ItersPerEpoch);
    }

    /// <inheritdoc />
    public override void BeforeTrain()
    {
        if (skip == 0) return;
        var l = Learner;
        l.Dl = new SkipFirstBatches(l.Dl ?? l.Data.Train, skip);
        l.Iter = skip;
        skip = 0; // only the first training pass after a resume skips, even if it is cancelled
    }
}
