using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Trainwright.Optim;

/// <summary>
/// The file format of a <see cref="StatefulOptimizer"/>'s state: a format tag, the optimizer's type name, its buffer
/// names, then per group its hyperparameters (sorted by name) and per parameter the step count and each buffer
/// (present flag, then <see cref="TensorStateIO"/>'s dtype, shape and raw bytes).
/// </summary>
internal static class OptimizerStateFormat
{
    private const string Format = "Trainwright.OptimizerState/1";

    public static void Write(BinaryWriter writer, string optimizer, IReadOnlyList<string> bufferNames, IReadOnlyList<ParamGroup> groups,
        ParameterState[][] states)
    {
        writer.Write(Format);
        writer.Write(optimizer);
        writer.Write(bufferNames.Count);
        foreach (var name in bufferNames) writer.Write(name);
        writer.Write(groups.Count);
        for (int g = 0; g < groups.Count; g++)
        {
            var hypers = groups[g].Hypers.OrderBy(h => h.Key, StringComparer.Ordinal).ToArray();
            writer.Write(hypers.Length);
            foreach (var (name, value) in hypers)
            {
                writer.Write(name);
                writer.Write(value);
            }
            writer.Write(states[g].Length);
            foreach (var state in states[g])
            {
                writer.Write(state.StepCount);
                foreach (var buffer in state.Buffers)
                {
                    writer.Write(buffer is not null);
                    if (buffer is not null) TensorStateIO.Write(writer, buffer);
                }
            }
        }
    }

    /// <summary>
    /// Reads and checks a saved state against an optimizer of type <paramref name="me"/> over <paramref name="groups"/>,
    /// without changing anything: per group the hyperparameters, per parameter the step count and the buffers (on the CPU).
    /// </summary>
    /// <exception cref="InvalidDataException">The state does not fit the optimizer; nothing read is left undisposed.</exception>
    public static ((string Name, double Value)[][] Hypers, (long Step, Tensor?[] Buffers)[][] Loaded) Read(BinaryReader reader, string me,
        IReadOnlyList<string> bufferNames, IReadOnlyList<ParamGroup> groups)
    {
        if (reader.ReadString() != Format)
            throw new InvalidDataException($"The data is not optimizer state written by {nameof(Optimizer.SaveState)}.");
        var writtenBy = reader.ReadString();
        if (writtenBy != me)
            throw new InvalidDataException($"The optimizer state was saved by {writtenBy}; it cannot be loaded into {me}.");
        var bufferCount = reader.ReadInt32();
        var names = Enumerable.Range(0, bufferCount).Select(_ => reader.ReadString()).ToArray();
        if (!names.SequenceEqual(bufferNames))
            throw new InvalidDataException(
                $"The saved state has buffers ({string.Join(", ", names)}) but {me} keeps ({string.Join(", ", bufferNames)}).");
        var groupCount = reader.ReadInt32();
        if (groupCount != groups.Count)
            throw new InvalidDataException(
                $"The saved optimizer state has {groupCount} parameter group(s) but this {me} has {groups.Count}; load it into an optimizer built over the same groups.");

        var hypers = new (string Name, double Value)[groupCount][];
        var loaded = new (long Step, Tensor?[] Buffers)[groupCount][];
        try
        {
            for (int g = 0; g < groupCount; g++)
            {
                hypers[g] = ReadHypers(reader, g, me, groups[g]);
                var count = reader.ReadInt32();
                var parameters = groups[g].Parameters;
                if (count != parameters.Count)
                    throw new InvalidDataException(
                        $"Group {g} of the saved optimizer state has {count} parameter(s) but group {g} of this {me} has {parameters.Count}.");
                loaded[g] = new (long, Tensor?[])[count];
                for (int i = 0; i < count; i++)
                {
                    var step = reader.ReadInt64();
                    var buffers = new Tensor?[bufferCount];
                    loaded[g][i] = (step, buffers);
                    for (int b = 0; b < bufferCount; b++)
                    {
                        if (!reader.ReadBoolean()) continue;
                        buffers[b] = TensorStateIO.Read(reader);
                        CheckMatches(buffers[b]!, parameters[i], g, i, bufferNames[b], me);
                    }
                }
            }
        }
        catch
        {
            foreach (var group in loaded)
                foreach (var (_, buffers) in group ?? [])
                    foreach (var t in buffers ?? []) t?.Dispose();
            throw;
        }
        return (hypers, loaded);
    }

    private static (string Name, double Value)[] ReadHypers(BinaryReader reader, int g, string me, ParamGroup group)
    {
        var count = reader.ReadInt32();
        var result = new (string, double)[count];
        for (int h = 0; h < count; h++) result[h] = (reader.ReadString(), reader.ReadDouble());
        var saved = result.Select(h => h.Item1).Order(StringComparer.Ordinal);
        var mine = group.Hypers.Keys.Order(StringComparer.Ordinal);
        if (!saved.SequenceEqual(mine))
            throw new InvalidDataException(
                $"Group {g} of the saved optimizer state has hyperparameters ({string.Join(", ", saved)}) but this {me}'s group {g} has ({string.Join(", ", mine)}).");
        return result;
    }

    private static void CheckMatches(Tensor buffer, Parameter p, int g, int i, string bufferName, string me)
    {
        if (!buffer.shape.SequenceEqual(p.shape))
            throw new InvalidDataException(
                $"Saved '{bufferName}' of parameter {i} in group {g} has shape {TensorStateIO.Shape(buffer.shape)} but that parameter of this {me} has shape {TensorStateIO.Shape(p.shape)}; the state belongs to a different model.");
        if (buffer.dtype != p.dtype)
            throw new InvalidDataException(
                $"Saved '{bufferName}' of parameter {i} in group {g} is {buffer.dtype} but that parameter is {p.dtype}.");
    }
}
