using System.Text;
using TorchSharp;
using Trainwright.IO;
using static TorchSharp.torch;

namespace Trainwright.Learning;

/// <summary>
/// A resumable snapshot of training: model weights, optimizer state, where the loop stands (epoch, batches done,
/// schedule position) and the RNG state. Files are written atomically: a temp file in the same folder, flushed to
/// disk, then renamed over the old one, so a crash mid-write leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    /// <summary>Saves the learner so that a fit with <see cref="ResumeFrom"/> continues at <paramref name="position"/>.</summary>
    /// <param name="path">Destination file; its folder is created when missing.</param>
    /// <param name="learner">The learner to save.</param>
    /// <param name="position">Where a resumed fit starts.</param>
    /// <param name="metadata">Free-form key/value pairs kept with the checkpoint (metrics, options…).</param>
    public static void Save(string path, Learner learner, LoopPosition position, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(learner);
        var full = Path.GetFullPath(path);
        try
        {
            AtomicFile.Write(full, stream =>
            {
                var header = Blob(s =>
                {
                    using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
                    w.Write(ModelSignature(learner.Model));
                    w.Write(position.Epoch);
                    w.Write(position.BatchesDone);
                    w.Write(position.TrainIter);
                    w.Write(position.EpochFraction);
                    var meta = metadata ?? new Dictionary<string, string>();
                    w.Write(meta.Count);
                    foreach (var (k, v) in meta) { w.Write(k); w.Write(v); }
                });
                var model = Blob(s => { using var bw = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true); learner.Model.save(bw); });
                var optimizer = Blob(s => { using var bw = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true); learner.Opt.SaveState(bw); });
                using var rng = torch.random.get_rng_state();
                CheckpointFile.Write(stream, [header, model, optimizer, rng.bytes.ToArray()]);
            }, bufferSize: 1 << 16);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new IOException($"Could not write checkpoint '{full}': {e.Message} The previous checkpoint, if any, is unchanged.", e);
        }
    }

    /// <summary>
    /// Loads weights and optimizer state into <paramref name="learner"/>; with <paramref name="restoreRandomState"/> also
    /// torch's RNG state. Where the loop stood is returned, for <see cref="ResumeFrom"/> to continue from.
    /// </summary>
    /// <returns>The checkpoint's position and metadata.</returns>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is damaged, or belongs to a different model.</exception>
    public static CheckpointInfo Load(string path, Learner learner, bool restoreRandomState = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(learner);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        try
        {
            var sections = CheckpointFile.Read(path, CheckpointFile.SectionCount);
            var (signature, position, meta) = ReadHeader(sections[CheckpointFile.Header], path);
            var expected = ModelSignature(learner.Model);
            if (signature != expected)
                throw new InvalidDataException(
                    $"Checkpoint '{path}' was saved from a different model (its parameters: {Shorten(signature)}; this model's: {Shorten(expected)}).");
            var model = sections[CheckpointFile.Model];
            var optimizer = sections[CheckpointFile.Optimizer];
            var rng = sections[CheckpointFile.Rng];
            // libtorch aborts the whole process on a malformed generator state: only a state of the size it writes gets there.
            using (var current = torch.random.get_rng_state())
                if (CheckpointFile.RngStateProblem(rng, current.NumberOfElements) is { } problem)
                    throw CheckpointFile.Damaged(path, problem);
            using (var ms = new MemoryStream(model)) using (var br = new BinaryReader(ms)) learner.Model.load(br);
            using (var ms = new MemoryStream(optimizer)) using (var br = new BinaryReader(ms)) learner.Opt.LoadState(br);
            if (restoreRandomState)
            {
                using var state = torch.tensor(rng, ScalarType.Byte);
                torch.random.set_rng_state(state);
            }
            return new CheckpointInfo(position, meta);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated.", e);
        }
    }

    /// <summary>
    /// Loads only the weights (parameters and buffers) of a training checkpoint into <paramref name="model"/>: no
    /// optimizer, no learner, no RNG. The file is verified as by <see cref="Load"/> (every section's checksum), and a
    /// checkpoint of a different architecture is refused naming both models' parameters. Use it to predict with, or
    /// fine-tune, a model trained elsewhere.
    /// </summary>
    /// <returns>The checkpoint's position and metadata.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is damaged, or belongs to a different model.</exception>
    public static CheckpointInfo LoadWeights(string path, nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        try
        {
            var sections = CheckpointFile.Read(path, CheckpointFile.SectionCount);
            var (signature, position, meta) = ReadHeader(sections[CheckpointFile.Header], path);
            var expected = ModelSignature(model);
            if (signature != expected)
                throw new InvalidDataException(
                    $"Checkpoint '{path}' holds the weights of a different architecture (its parameters: {Shorten(signature)}; this model's: {Shorten(expected)}). "
                    + "Build the model with the settings it was trained with.");
            using (var ms = new MemoryStream(sections[CheckpointFile.Model])) using (var br = new BinaryReader(ms)) model.load(br);
            return new CheckpointInfo(position, meta);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated.", e);
        }
    }

    /// <summary>
    /// Reads a checkpoint's position and metadata without loading anything, e.g. to find out which model to build
    /// before calling <see cref="Load"/>. Weights and states are not checked.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this format, or its header is truncated.</exception>
    public static CheckpointInfo ReadInfo(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        try
        {
            var (_, position, meta) = ReadHeader(CheckpointFile.Read(path, 1)[CheckpointFile.Header], path);
            return new CheckpointInfo(position, meta);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated.", e);
        }
    }

    private static (string Signature, LoopPosition Position, Dictionary<string, string> Metadata) ReadHeader(byte[] header, string path)
    {
        using var r = new BinaryReader(new MemoryStream(header, writable: false), Encoding.UTF8);
        var signature = r.ReadString();
        var position = new LoopPosition(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadDouble());
        if (position.Epoch < 0 || position.BatchesDone < 0 || position.TrainIter < 0 || !double.IsFinite(position.EpochFraction))
            throw CheckpointFile.Damaged(path, "its loop position is impossible");
        int n = r.ReadInt32();
        if (n < 0 || n > header.Length) throw CheckpointFile.Damaged(path, $"it declares {n} metadata entries");
        var meta = new Dictionary<string, string>();
        for (int i = 0; i < n; i++) meta[r.ReadString()] = r.ReadString();
        return (signature, position, meta);
    }

    /// <summary>Parameter names and shapes, so a checkpoint of another architecture is refused with a clear message.</summary>
    internal static string ModelSignature(nn.Module model) =>
        string.Join(";", model.named_parameters().Select(p => $"{p.name}[{string.Join("x", p.parameter.shape)}]"));

    private static string Shorten(string s) => s.Length <= 160 ? s : s[..160] + "…";

    private static byte[] Blob(Action<Stream> write)
    {
        using var ms = new MemoryStream();
        write(ms);
        return ms.ToArray();
    }
}

/// <summary>Where a fit stands: the epoch to run next, training batches already done in it, and the global counters.</summary>
/// <param name="Epoch">The epoch a resumed fit starts in.</param>
/// <param name="BatchesDone">Training batches of that epoch already done (skipped on resume).</param>
/// <param name="TrainIter">Training batches done since the start of the fit.</param>
/// <param name="EpochFraction">Epochs done as a fraction (the schedule position times the epoch count).</param>
public sealed record LoopPosition(int Epoch, int BatchesDone, int TrainIter, double EpochFraction)
{
    /// <summary>The position right after the current epoch ends.</summary>
    public static LoopPosition AfterEpoch(Learner learner)
    {
        ArgumentNullException.ThrowIfNull(learner);
        return new(learner.Epoch + 1, 0, learner.TrainIter, learner.Epoch + 1);
    }

    /// <summary>The position right after the current training batch (call it in or after <see cref="Event.AfterBatch"/>).</summary>
    public static LoopPosition AfterBatch(Learner learner)
    {
        ArgumentNullException.ThrowIfNull(learner);
        if (!learner.Training) return AfterEpoch(learner);
        int done = learner.Iter + 1;
        return done >= learner.ItersPerEpoch
            ? AfterEpoch(learner)
            : new(learner.Epoch, done, learner.TrainIter, learner.EpochFraction);
    }
}

/// <summary>What a checkpoint said about itself.</summary>
/// <param name="Position">Where it was taken.</param>
/// <param name="Metadata">Its key/value pairs.</param>
public sealed record CheckpointInfo(LoopPosition Position, IReadOnlyDictionary<string, string> Metadata);
