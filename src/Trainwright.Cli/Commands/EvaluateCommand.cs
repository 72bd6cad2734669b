using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Trainwright.Cli.Running;
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
    private readonly Option<int?> hidden = new("--hidden")
    {
        Description = "Hidden units of the MLP [default: recorded in the checkpoint, else 50]",
        HelpName = "N",
    };
    private readonly Option<int> batchSize = CliOptions.AtLeast("--bs", "Batch size for evaluation", 1000, 1);
    private readonly Option<int?> maxItems = CliOptions.MaxItems();
    private readonly Option<int?> threads = CliOptions.Threads();

    public Command Build(Option<bool> verbose)
    {
        model.AcceptOnlyFromAmong(ModelSpec.Kinds);
        var command = new Command("evaluate", "Evaluate a checkpoint on the test set (t10k files): loss, accuracy and confusion matrix");
        foreach (var option in new Option[] { checkpoint, data, model, hidden, batchSize, maxItems, threads }) command.Options.Add(option);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        ThreadDefaults.Apply(result.GetValue(threads));
        var path = Path.GetFullPath(result.GetValue(checkpoint)!);
        if (Directory.Exists(path))
            throw new CliException($"--checkpoint '{path}' is a folder; give a checkpoint file in it, e.g. {Path.Combine(path, "checkpoint-best")}.");
        if (!File.Exists(path))
            throw new CliException($"--checkpoint '{path}' does not exist; give the checkpoint-best or checkpoint-last of a run.");
        CheckpointInfo info;
        try
        {
            info = Checkpoint.ReadInfo(path);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"--checkpoint: {e.Message} Give a checkpoint written by trainwright train.", inner: e);
        }
        var recorded = ModelSpec.FromMetadata(info.Metadata);
        var meta = info.Metadata;

        // The data the checkpoint was trained on, unless --data says otherwise.
        var dataDir = result.GetValue(data) ?? (meta.TryGetValue("train.data", out var trainedOn) ? trainedOn : null);
        using var set = DataSource.Load(dataDir is null ? null : Path.GetFullPath(dataDir), result.GetValue(maxItems));

        var kind = result.GetValue(model) ?? recorded?.Kind ?? ModelSpec.Mlp;
        int hiddenUnits = result.GetValue(hidden) ?? (recorded?.Kind == ModelSpec.Mlp ? recorded.Hidden : 50);
        var spec = LearnerFactory.SpecFor(kind, hiddenUnits, set);
        if (recorded is not null && recorded.Kind == spec.Kind && (recorded.Height, recorded.Width) != (spec.Height, spec.Width))
            throw new CliException(
                $"--checkpoint '{path}' was trained on {recorded.Height}x{recorded.Width} images but the data has {spec.Height}x{spec.Width}; "
                + "evaluate it with the --data it was trained on.");
        // A test set may lack the highest classes; the head keeps the size it was trained with.
        if (recorded is not null && recorded.Kind == spec.Kind && recorded.Classes >= spec.Classes)
            spec = spec with { Classes = recorded.Classes };
        if (recorded is not null && recorded != spec)
            throw new CliException(
                $"--checkpoint '{path}' holds the model '{recorded.Describe()}', but the options ask for '{spec.Describe()}'; "
                + "drop --model/--hidden/--data (the checkpoint records them) or give the ones it was trained with.");

        var optimizer = meta.TryGetValue("train.opt", out var opt) ? opt : "sgd";
        var bunch = new DataBunch(new DataLoader<(Tensor X, Tensor Y)>(set.Test, result.GetValue(batchSize)),
            new DataLoader<(Tensor X, Tensor Y)>(set.Test, result.GetValue(batchSize)), spec.Classes);
        var learner = LearnerFactory.Create(spec, bunch, optimizer, CliOptions.DefaultSgdLr, 0, 0, []);
        try
        {
            Checkpoint.Load(path, learner);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"--checkpoint: {e.Message} Pass the --model, --hidden and --data it was trained with.", inner: e);
        }

        var (loss, accuracy, confusion, count) = Evaluate(learner, set.Test, result.GetValue(batchSize), spec);
        Console.WriteLine($"Checkpoint: {path} ({spec.Describe()}, epoch {(meta.TryGetValue("epoch", out var e2) ? e2 : "?")})");
        Console.WriteLine($"Test set:   {count} items of {DataSource.Describe(set, dataDir)}");
        Console.WriteLine($"Test loss:      {loss.ToString("0.0000", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"Test accuracy:  {accuracy.ToString("0.0000", CultureInfo.InvariantCulture)}");
        AnsiConsole.Write(ConfusionTable(confusion));
        return ExitCodes.Ok;
    }

    private static (double Loss, double Accuracy, long[,] Confusion, long Count) Evaluate(Learner learner, TensorPairDataset test, int batchSize, ModelSpec spec)
    {
        var net = learner.Model;
        net.eval();
        int classes = spec.Classes;
        var confusion = new long[classes, classes];
        double lossSum = 0;
        long correct = 0, count = 0;
        using var _ = no_grad();
        foreach (var batch in new DataLoader<(Tensor X, Tensor Y)>(test, batchSize))
        {
            using var scope = NewDisposeScope();
            using (batch)
            {
                var x = spec.NeedsImages ? batch.Xb.reshape(-1, 1, spec.Height, spec.Width) : batch.Xb;
                var pred = net.call(x);
                var y = batch.Yb;
                lossSum += LossFunctions.CrossEntropyLoss(pred, y).item<float>() * batch.Size;
                var predicted = pred.argmax(-1).data<long>().ToArray();
                var actual = y.data<long>().ToArray();
                for (int i = 0; i < actual.Length; i++)
                {
                    confusion[actual[i], predicted[i]]++;
                    if (actual[i] == predicted[i]) correct++;
                }
                count += actual.Length;
            }
        }
        return (lossSum / Math.Max(1, count), (double)correct / Math.Max(1, count), confusion, count);
    }

    private static Table ConfusionTable(long[,] confusion)
    {
        int n = confusion.GetLength(0);
        var table = new Table().Title("Confusion matrix (rows: actual class, columns: predicted)").Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("actual").RightAligned());
        for (int c = 0; c < n; c++) table.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        for (int r = 0; r < n; r++)
        {
            var cells = new List<string> { r.ToString(CultureInfo.InvariantCulture) };
            for (int c = 0; c < n; c++)
            {
                var value = confusion[r, c].ToString(CultureInfo.InvariantCulture);
                cells.Add(r == c ? $"[green]{value}[/]" : confusion[r, c] == 0 ? $"[grey]{value}[/]" : value);
            }
            table.AddRow(cells.ToArray());
        }
        return table;
    }
}
