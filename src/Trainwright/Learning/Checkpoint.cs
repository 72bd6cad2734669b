using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Learning;

/// <summary>
/// A resumable snapshot of training: model weights, optimizer state, where the loop stands (epoch, batches done,
/// schedule position) and the RNG state. Files are written atomically: a temp file in the same folder, flushed to
/// disk, then renamed over the old one, so a crash mid-write leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    private const string Magic = "TRAINWRIGHT-CKPT";
    private const int FormatVersion = 1;

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
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                {
                    w.Write(Magic);
                    w.Write(FormatVersion);
                    w.Write(ModelSignature(learner.Model));
                    w.Write(position.Epoch);
                    w.Write(position.BatchesDone);
                    w.Write(position.TrainIter);
                    w.Write(position.EpochFraction);
                    var meta = metadata ?? new Dictionary<string, string>();
                    w.Write(meta.Count);
                    foreach (var (k, v) in meta) { w.Write(k); w.Write(v); }
                    WriteBlob(w, s => { using var bw = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true); learner.Model.save(bw); });
                    WriteBlob(w, s => { using var bw = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true); learner.Opt.SaveState(bw); });
                    using var rng = torch.random.get_rng_state();
                    WriteBlob(w, s => s.Write(rng.bytes));
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new IOException($"Could not write checkpoint '{full}': {e.Message} The previous checkpoint, if any, is unchanged.", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
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
            using var stream = File.OpenRead(path);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            var (signature, position, meta) = ReadHeader(r, path);
            var expected = ModelSignature(learner.Model);
            if (signature != expected)
                throw new InvalidDataException(
                    $"Checkpoint '{path}' was saved from a different model (its parameters: {Shorten(signature)}; this model's: {Shorten(expected)}).");
            var model = ReadBlob(r);
            var optimizer = ReadBlob(r);
            var rng = ReadBlob(r);
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
            using var stream = File.OpenRead(path);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            var (_, position, meta) = ReadHeader(r, path);
            return new CheckpointInfo(position, meta);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated.", e);
        }
    }

    private static (string Signature, LoopPosition Position, Dictionary<string, string> Metadata) ReadHeader(BinaryReader r, string path)
    {
        if (r.BaseStream.Length < 32 || r.ReadString() != Magic)
            throw new InvalidDataException($"'{path}' is not a Trainwright checkpoint.");
        int version = r.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"Checkpoint '{path}' has format version {version}; this build reads version {FormatVersion}.");
        var signature = r.ReadString();
        var position = new LoopPosition(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadDouble());
        int n = r.ReadInt32();
        var meta = new Dictionary<string, string>(n);
        for (int i = 0; i < n; i++) meta[r.ReadString()] = r.ReadString();
        return (signature, position, meta);
    }

    /// <summary>Parameter names and shapes, so a checkpoint of another architecture is refused with a clear message.</summary>
    internal static string ModelSignature(nn.Module model) =>
        string.Join(";", model.named_parameters().Select(p => $"{p.name}[{string.Join("x", p.parameter.shape)}]"));

    private static string Shorten(string s) => s.Length <= 160 ? s : s[..160] + "…";

    private static void WriteBlob(BinaryWriter w, Action<Stream> write)
    {
        using var ms = new MemoryStream();
        write(ms);
        w.Write(ms.Length);
        ms.Position = 0;
        ms.CopyTo(w.BaseStream);
    }

    private static byte[] ReadBlob(BinaryReader r)
    {
        long n = r.ReadInt64();
        if (n < 0 || n > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
        return r.ReadBytes((int)n);
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
