using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Callbacks;

/// <summary>
/// Writes scalars for TensorBoard with TorchSharp's <c>SummaryWriter</c>: for every training batch the loss
/// (<c>batch/train_loss</c>) and the learning rate of each parameter group (<c>batch/lr_group0</c>, …), stepped by training
/// batches done; for every epoch the train and valid loss and metrics of the attached <see cref="AvgStats"/>
/// (<c>epoch/train_loss</c>, <c>epoch/valid_accuracy</c>, …), stepped by epochs done. Without an AvgStats only the batch
/// scalars are written.
/// <para>
/// Batch losses stay on the device until a flush (every <c>flushEvery</c> batches and at the end of each epoch and of the
/// fit), so the loop is not made to wait for the device at every batch. Each fit starts a new event file in the log folder.
/// </para>
/// </summary>
public sealed class TensorBoardLogger : Callback
{
    private readonly int flushEvery;
    private readonly List<(int Step, Tensor Loss, double[] Lrs)> pending = [];
    private TorchSharp.Modules.SummaryWriter? writer;

    /// <summary>Creates the logger.</summary>
    /// <param name="logDir">Folder for the event files (created when missing); point <c>tensorboard --logdir</c> at it or its parent.</param>
    /// <param name="flushEvery">Training batches buffered between writes (at least 1).</param>
    public TensorBoardLogger(string logDir, int flushEvery = 50)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDir);
        ArgumentOutOfRangeException.ThrowIfLessThan(flushEvery, 1);
        LogDir = Path.GetFullPath(logDir);
        this.flushEvery = flushEvery;
    }

    /// <summary>The folder the event files go to.</summary>
    public string LogDir { get; }

    /// <inheritdoc />
    public override string Name => "TensorBoard";

    /// <inheritdoc />
    public override CallbackPhases RunsIn => CallbackPhases.Fit;

    /// <inheritdoc />
    public override bool ReportsTraining => true;

    /// <inheritdoc />
    public override int Order => CallbackOrder.Logger;

    /// <inheritdoc />
    /// <exception cref="IOException"><see cref="LogDir"/> exists and is not a folder (a file, a device, a FIFO, a socket).</exception>
    public override void BeforeFit()
    {
        ReleasePending();
        // Event files are appended to, one per fit, inside the folder: a path that is anything else is refused untouched.
        if (File.Exists(LogDir))
            throw new IOException(
                $"TensorBoardLogger cannot write into '{LogDir}': it is {RegularFile.WhatElse(LogDir) ?? "a file"}, not a folder; "
                + "give a folder for the event files (it is created when missing).");
        writer = torch.utils.tensorboard.SummaryWriter(LogDir);
    }

    /// <inheritdoc />
    public override void AfterBatch()
    {
        var l = Learner;
        if (!l.Training || l.Loss is null || writer is null) return;
        // A detached handle to the loss, moved out of the batch's dispose scope so it survives until the flush.
        var loss = l.Loss.detach();
        loss.MoveToOuterDisposeScope();
        var groups = l.Opt.Groups;
        var lrs = new double[groups.Count];
        for (int g = 0; g < lrs.Length; g++) lrs[g] = groups[g].Has(Hyper.Lr) ? groups[g][Hyper.Lr] : double.NaN;
        pending.Add((l.TrainIter, loss, lrs));
        if (pending.Count >= flushEvery) Flush();
    }

    /// <inheritdoc />
    public override void AfterEpoch()
    {
        Flush();
        if (writer is null || !Learner.TryGet<AvgStats>(out var stats)) return;
        int step = Learner.Epoch + 1;
        foreach (var phase in new[] { stats.Train, stats.Valid })
        {
            if (phase is null || phase.Epoch != Learner.Epoch) continue;
            var prefix = phase.Training ? "epoch/train_" : "epoch/valid_";
            writer.add_scalar(prefix + "loss", (float)phase.Loss, step);
            foreach (var (name, value) in phase.Metrics) writer.add_scalar(prefix + name, (float)value, step);
        }
    }

    /// <inheritdoc />
    public override void AfterFit()
    {
        try
        {
            Flush();
        }
        finally
        {
            ReleasePending();
            writer = null; // The writer opens and closes its file for every event; nothing stays open.
        }
    }

    private void Flush()
    {
        if (pending.Count == 0 || writer is null) return;
        float[] losses;
        using (var scope = NewDisposeScope())
        {
            // One read from the device for all buffered batches.
            var all = cat(pending.Select(p => p.Loss.reshape(1).to(ScalarType.Float32)).ToArray()).cpu();
            losses = all.data<float>().ToArray();
        }
        for (int i = 0; i < pending.Count; i++)
        {
            var (step, _, lrs) = pending[i];
            writer.add_scalar("batch/train_loss", losses[i], step);
            for (int g = 0; g < lrs.Length; g++) writer.add_scalar($"batch/lr_group{g}", (float)lrs[g], step);
        }
        ReleasePending();
    }

    private void ReleasePending()
    {
        foreach (var p in pending) p.Loss.Dispose();
        pending.Clear();
    }
}
