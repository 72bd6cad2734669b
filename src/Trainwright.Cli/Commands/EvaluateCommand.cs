using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Trainwright.Cli.DataSources;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Runs;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Learning;
using Trainwright.Losses;
using static TorchSharp.torch;

namespace Trainwright.Cli.Commands;

/// <summary><c>trainwright evaluate</c>: loss, accuracy and confusion matrix of a checkpoint on the test set.</summary>
internal sealed class EvaluateCommand
{
    private readonly Option<string> checkpoint = new("--checkpoint")
    {
        Description = "Checkpoint to evaluate (checkpoint-best or checkpoint-last of a run)",
        HelpName = "PATH",
        Required = true,
    };
    private readonly Option<string?> data = CliOptions.Data();
    private readonly Option<string?> model = new("--model")
    {
        Description = "Network the checkpoint holds: mlp or cnn [default: the one recorded in the checkpoint]",
    };
    private readonly Option<int?> hidden = CliOptions.OptionalNumber<int>("--hidden", "Hidden units of the MLP [default: recorded in the checkpoint, else 50]",
        v => v < 1 ? "must be at least 1" : v > Limits.MaxHidden ? $"must be at most {Limits.MaxHidden}" : null);
    private readonly Option<int> batchSize = CliOptions.Range("--bs", "Batch size for evaluation", 1000, 1, Limits.MaxBatchSize);
    private readonly Option<int?> maxItems = CliOptions.MaxItems();
    private readonly Option<int?> threads = CliOptions.Threads();

    public Command Build(Option<bool> verbose)
    {
        model.AcceptOnlyFromAmong(Choices.Names<ModelKind>());
        var command = new Command("evaluate", "Evaluate a checkpoint on the test set (t10k files): loss, accuracy and confusion matrix");
        foreach (var option in new Option[] { checkpoint, data, model, hidden, batchSize, maxItems, threads }) command.Options.Add(option);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        SingleProcessOnly.Require("evaluate", "evaluation runs in one process, so every copy would print the same result");
        ThreadDefaults.Apply(result.GetValue(threads));
        var checkpointText = result.GetValue(checkpoint)!;
        if (string.IsNullOrWhiteSpace(checkpointText)) throw new CliException("--checkpoint is empty; give the checkpoint-best or checkpoint-last of a run.");
        var dataText = result.GetValue(data);
        if (dataText is not null && string.IsNullOrWhiteSpace(dataText)) throw new CliException("--data is empty; give a path, or leave the option out.");
        var path = Path.GetFullPath(checkpointText);
        var info = ResumeCheck.Read("--checkpoint", path, "give the checkpoint-best or checkpoint-last of a run.");
        var meta = info.Metadata;
        var recorded = ModelSpec.FromMetadata(meta);
        var trained = RunSettings.FromMetadata(meta);
        var classNames = DataKeys.DecodeNames(meta);

        // The data the checkpoint was trained on, unless --data says otherwise; labels through the checkpoint's classes.
        var dataPath = dataText ?? trained.Data;
        using var set = Registry.Open(new DataRequest(dataPath is null ? null : Path.GetFullPath(dataPath), result.GetValue(maxItems),
            Limits.MaxClasses, classNames));

        var kind = result.GetValue(model) is { } m ? Choices.TryParse<ModelKind>(m)!.Value : recorded?.Kind ?? ModelKind.Mlp;
        int hiddenUnits = result.GetValue(hidden) ?? (recorded?.Kind == ModelKind.Mlp ? recorded.Hidden : 50);
        var spec = ModelSpec.For(kind, hiddenUnits, set.Shape);
        if (recorded is not null && recorded.Kind == spec.Kind && (recorded.Height, recorded.Width) != (spec.Height, spec.Width))
            throw new CliException(
                $"--checkpoint '{path}' was trained on {recorded.Height}x{recorded.Width} images but the data has {spec.Height}x{spec.Width}; "
                + "evaluate it with the --data it was trained on.");
        // A test set may lack the highest classes of an older checkpoint (one without class names); the head keeps its size.
        if (recorded is not null && classNames is null && recorded.Kind == spec.Kind && recorded.Classes >= spec.Classes)
            spec = spec with { Classes = recorded.Classes };
        if (recorded is not null && recorded != spec)
            throw new CliException(
                $"--checkpoint '{path}' holds the model '{recorded.Describe()}', but the options ask for '{spec.Describe()}'; "
                + "drop --model/--hidden/--data (the checkpoint records them) or give the ones it was trained with.");

        int bs = result.GetValue(batchSize);
        var bunch = new DataBunch(new DataLoader<(Tensor X, Tensor Y)>(set.Test, bs), new DataLoader<(Tensor X, Tensor Y)>(set.Test, bs), spec.Classes);
        var learner = LearnerFactory.Create(spec, bunch, trained.Optimizer, CliOptions.DefaultSgdLr, 0, 0, []);
        try
        {
            Checkpoint.Load(path, learner);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"--checkpoint: {e.Message}", inner: e);
        }

        var (loss, accuracy, confusion, count) = Evaluate(learner, set.Test, bs, spec);
        Console.WriteLine($"Checkpoint: {path} ({spec.Describe()}, epoch {(meta.TryGetValue("epoch", out var e2) ? e2 : "?")})");
        Console.WriteLine($"Test set:   {count} items of {set.Describe()}");
        Console.WriteLine($"Test loss:      {loss.ToString("0.0000", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"Test accuracy:  {accuracy.ToString("0.0000", CultureInfo.InvariantCulture)}");
        var names = set.Shape.ClassNames;
        if (spec.Classes <= Limits.MaxConfusionTableClasses)
            AnsiConsole.Write(ConfusionTable(confusion, spec.Classes));
        else
            PrintWorstClasses(confusion, spec.Classes, names);
        return ExitCodes.Ok;
    }

    /// <summary>Loss, accuracy and the confusion counts, kept sparse: (actual, predicted) → count, so thousands of classes cost nothing.</summary>
    private static (double Loss, double Accuracy, Dictionary<(int Actual, int Predicted), long> Confusion, long Count) Evaluate(
        Learner learner, IDataset<(Tensor X, Tensor Y)> test, int batchSize, ModelSpec spec)
    {
        var net = learner.Model;
        net.eval();
        var confusion = new Dictionary<(int, int), long>();
        double lossSum = 0;
        long correct = 0, count = 0;
        using var _ = no_grad();
        foreach (var batch in new DataLoader<(Tensor X, Tensor Y)>(test, batchSize))
        {
            using var scope = NewDisposeScope();
            using (batch)
            {
                var x = spec.NeedsImages ? batch.Xb.reshape(-1, spec.Channels, spec.Height, spec.Width) : batch.Xb;
                var pred = net.call(x);
                var y = batch.Yb;
                lossSum += LossFunctions.CrossEntropyLoss(pred, y).item<float>() * batch.Size;
                var predicted = pred.argmax(-1).data<long>().ToArray();
                var actual = y.data<long>().ToArray();
                for (int i = 0; i < actual.Length; i++)
                {
                    var key = ((int)actual[i], (int)predicted[i]);
                    confusion[key] = confusion.GetValueOrDefault(key) + 1;
                    if (actual[i] == predicted[i]) correct++;
                }
                count += actual.Length;
            }
        }
        return (lossSum / Math.Max(1, count), (double)correct / Math.Max(1, count), confusion, count);
    }

    private static Table ConfusionTable(Dictionary<(int Actual, int Predicted), long> confusion, int n)
    {
        var table = new Table().Title("Confusion matrix (rows: actual class, columns: predicted)").Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("actual").RightAligned());
        for (int c = 0; c < n; c++) table.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        for (int r = 0; r < n; r++)
        {
            var cells = new List<string> { r.ToString(CultureInfo.InvariantCulture) };
            for (int c = 0; c < n; c++)
            {
                long v = confusion.GetValueOrDefault((r, c));
                var value = v.ToString(CultureInfo.InvariantCulture);
                cells.Add(r == c ? $"[green]{value}[/]" : v == 0 ? $"[grey]{value}[/]" : value);
            }
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    /// <summary>Instead of an unreadable N×N table: the classes with the lowest accuracy and each one's most frequent confusion.</summary>
    private static void PrintWorstClasses(Dictionary<(int Actual, int Predicted), long> confusion, int classes, IReadOnlyList<string> names)
    {
        const int shown = 10;
        string Name(int i) => i < names.Count ? names[i] : i.ToString(CultureInfo.InvariantCulture);
        var perClass = confusion.GroupBy(kv => kv.Key.Actual).Select(g =>
        {
            long total = g.Sum(kv => kv.Value);
            long right = g.Where(kv => kv.Key.Predicted == g.Key).Sum(kv => kv.Value);
            var worst = g.Where(kv => kv.Key.Predicted != g.Key).OrderByDescending(kv => kv.Value).FirstOrDefault();
            return (Class: g.Key, Total: total, Accuracy: (double)right / total, Confused: worst.Value > 0 ? $"{Name(worst.Key.Predicted)} ({worst.Value})" : "-");
        }).OrderBy(c => c.Accuracy).ThenByDescending(c => c.Total).Take(shown).ToList();
        Console.WriteLine($"Confusion matrix not shown: {classes} classes are more than {Limits.MaxConfusionTableClasses}. The {perClass.Count} classes with the lowest accuracy:");
        Console.WriteLine("class          items  accuracy  most often predicted as");
        foreach (var c in perClass)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name(c.Class),-12} {c.Total,7}  {c.Accuracy,8:0.0000}  {c.Confused}"));
    }
}
