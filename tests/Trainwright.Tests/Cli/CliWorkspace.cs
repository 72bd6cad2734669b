using System.Text.RegularExpressions;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Models;
using Trainwright.Optim;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Cli;

/// <summary>A temporary folder for one test's CLI runs (working directory, data, outputs), deleted on dispose.</summary>
internal sealed partial class CliWorkspace : IDisposable
{
    public CliWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "trainwright-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>A generated 14x14, 4-class image set (see <see cref="GeneratedImageSet"/>) in <c>data/</c>.</summary>
    public string Data14x14 => data ??= GeneratedImageSet.Write(PathOf("data"));
    private string? data;

    public CliResult Run(params string[] args) => CliProcess.Run(Root, args);

    public CliProcess Start(params string[] args) => CliProcess.Start(Root, args);

    /// <summary>Every file under <paramref name="folder"/> with its bytes, for checking that nothing changed.</summary>
    public static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

    /// <summary>Splits a command line printed by the CLI (POSIX quoting with single quotes) into arguments.</summary>
    public static List<string> SplitShell(string line)
    {
        var args = new List<string>();
        foreach (Match m in ShellWord().Matches(line))
            args.Add(string.Concat(m.Groups["part"].Captures.Select(c => c.Value.StartsWith('\'') ? c.Value[1..^1] : c.Value.Replace("\\'", "'", StringComparison.Ordinal))));
        return args;
    }

    [GeneratedRegex(@"(?<part>'[^']*'|\\'|[^\s'\\]+)+")]
    private static partial Regex ShellWord();

    /// <summary>The weights of an MLP checkpoint written by the CLI, as flat float arrays in parameter order.</summary>
    public static List<float[]> MlpWeights(string checkpoint, int inputs, int hidden, int classes)
    {
        using var scope = NewDisposeScope();
        var learner = new Learner(Mlp.Create(inputs, hidden, classes), Tiny.Data(features: inputs, classes: classes),
            LossFunctions.CrossEntropyLoss, Sgd.Factory(mom: 0.9), 0.1);
        Checkpoint.Load(checkpoint, learner);
        return [.. learner.Model.parameters().Select(p => p.data<float>().ToArray())];
    }

    /// <summary>Writes IDX content uncompressed, keeping only the first <paramref name="keepBytes"/> bytes when given.</summary>
    public static void WriteRawIdx(string path, IdxData content, int? keepBytes = null)
    {
        var bytes = IdxWriter.Encode(content);
        File.WriteAllBytes(path, keepBytes is { } n ? bytes[..n] : bytes);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
