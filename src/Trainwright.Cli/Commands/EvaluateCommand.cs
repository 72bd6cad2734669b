using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Trainwright.Cli.DataSources;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Runs;
using Trainwright.Cli.Settings;
using Trainwright.Data;
using Trainwright.Callbacks;
using Trainwright.Inference;
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
        Description = "Network the checkpoint holds [default: the one recorded in the checkpoint]",
    };
    private readonly Option<int?> hidden = CliOptions.OptionalNumber<int>("--hidden", "Hidden units of the MLP [default: recorded in the checkpoint, else 50]",
        v => v < 1 ? "must be at least 1" : v > Limits.MaxHidden ? $"must be at most {Limits.MaxHidden}" : null);
    private readonly Option<int> batchSize = CliOptions.Range("--bs", "Batch size for evaluation", 1000, 1, Limits.MaxBatchSize);
    private readonly Option<int?> maxItems = CliOptions.MaxItems();
    private readonly Option<int?> threads = CliOptions.Threads();

    public Command Build(Option<bool> verbose)
    {
        model.AcceptOnlyFromAmong(Choices.Names<ModelKind>());
        var command = new Command("evaluate", "Evaluate a checkpoint on the test split (IDX t10k files, an image folder's test/ folder; else the validation split; "
            + "a table's validation split, or every row of another --data table): loss, metrics and, for classes, the confusion matrix");
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

        // The data the checkpoint was trained on, unless --data says otherwise, read with the options it was trained
        // with; labels through the checkpoint's classes, inputs through its recorded preprocessing.
        var dataPath = dataText ?? trained.Data;
        var dataSettings = trained with { Data = dataPath is null ? null : Path.GetFullPath(dataPath), MaxItems = result.GetValue(maxItems) };
        using var set = Registry.Open(DataRequest.For(dataSettings, classNames) with
        {
            MaxClasses = Limits.MaxClasses,
            Checkpoint = meta,
            Progress = DataProgress.Writer(),
            ProgressIsTerminal = DataProgress.IsTerminal(noProgress: false),
        });

        var kind = result.GetValue(model) is { } m ? Choices.Require<ModelKind>("--model", m) : recorded?.Kind ?? Registry.DefaultModelFor(dataSettings.Data);
        set.CheckModel(kind);
        int hiddenUnits = result.GetValue(hidden) ?? (recorded?.Kind == ModelKind.Mlp ? recorded.Hidden : 50);
        var spec = ModelSpec.For(kind, trained with { Hidden = hiddenUnits }, set.Shape);
        if (recorded is not null && recorded.Kind == spec.Kind && (recorded.Height, recorded.Width) != (spec.Height, spec.Width))
            throw new CliException(
                $"--checkpoint '{path}' was trained on {recorded.Height}x{recorded.Width} {(set.Shape.IsImage ? "images" : "inputs")} but the data has {spec.Height}x{spec.Width}; "
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
        var learner = LearnerFactory.Create(set, spec, bunch, TrainingRecipe.For(kind) with { LabelSmoothing = 0 }, trained.Optimizer, CliOptions.DefaultSgdLr, 0, 0, augment: false, []);
        try
        {
            Checkpoint.Load(path, learner);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"--checkpoint: {e.Message}", inner: e);
        }

        // One validation pass through the learner, so the inputs get the same batch callbacks (reshape, normalisation)
        // and the loss and metrics are computed exactly as during training.
        var stats = new AvgStats([.. set.Metrics]);
        var confusion = new ConfusionCounts(enabled: !set.Shape.IsRegression);
        var outputs = new OutputCollector(enabled: !set.Shape.IsRegression);
        learner.Fit(1, [stats, confusion, outputs, new SkipTraining()]);
        var valid = stats.Valid ?? throw new InvalidOperationException("The evaluation pass reported nothing.");

        Console.WriteLine($"Checkpoint: {path} ({spec.Describe()}, epoch {(meta.TryGetValue("epoch", out var e2) ? e2 : "?")})");
        var described = set.Describe().Split('\n')[0];
        Console.WriteLine(set.TestName == TableTrainingData.AllRows
            ? $"Test set:   {valid.Count} items: {described}"
            : $"Test set:   {valid.Count} items of the {set.TestName} split of {described}");
        if (set.TestName == "validation")
            Console.WriteLine("Note:       the data has no test split, so this is the validation split the run was checked on during training.");
        int pad = Math.Max(15, stats.MetricNames.Max(n => MetricTitle(n).Length + 7));
        Console.WriteLine("Test loss:".PadRight(pad) + " " + $"{valid.Loss.ToString("0.0000", CultureInfo.InvariantCulture)}");
        foreach (var name in stats.MetricNames)
            Console.WriteLine(("Test " + MetricTitle(name) + ":").PadRight(pad) + " " + valid.Metrics[name].ToString("0.0000", CultureInfo.InvariantCulture));
        if (set.Shape.IsRegression) return ExitCodes.Ok;
        var names = set.Shape.ClassNames;
        if (spec.Classes <= Limits.MaxConfusionTableClasses)
            AnsiConsole.Write(ConfusionTable(confusion.Counts, spec.Classes, names));
        else
            PrintWorstClasses(confusion.Counts, spec.Classes, names);
        WriteReport(outputs, spec.Classes, names, set, Path.GetDirectoryName(Path.GetFullPath(path))!);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Writes evaluation.md, evaluation.json (per-class precision, recall, F1, the most confused pairs, top losses),
    /// the confusion-matrix heat map when it is readable, and for image folders a grid of the top losses, beside the checkpoint.
    /// </summary>
    private static void WriteReport(OutputCollector outputs, int classes, IReadOnlyList<string> names, ITrainingData set, string folder)
    {
        var labels = names.Count == classes ? names : [.. Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        var report = Interpretation.FromLogits(outputs.Logits.ToArray(), classes, outputs.Targets, labels);
        try
        {
            var written = EvaluationWriter.WriteAll(report, folder).Select(Path.GetFileName).ToList();
            if (set is ImageTrainingData && report.TopLosses.Count > 0)
            {
                EvaluationWriter.WriteTopLossesPng(report, item => set.Test[item].X, Path.Combine(folder, EvaluationWriter.TopLossesFileName));
                written.Add(EvaluationWriter.TopLossesFileName);
            }
            Console.WriteLine($"Report:     {string.Join(", ", written)} in {folder}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: the report could not be written into '{folder}': {e.Message}");
        }
    }

    /// <summary>The logits and targets of every validation batch, in order, for the evaluation report.</summary>
    private sealed class OutputCollector(bool enabled) : Callback
    {
        public List<float> Logits { get; } = [];

        public List<long> Targets { get; } = [];

        public override void AfterLoss()
        {
            if (!enabled || Learner.Training || Learner.Pred is not { } pred) return;
            using var scope = NewDisposeScope();
            Logits.AddRange(pred.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray());
            Targets.AddRange(Learner.Yb.to_type(ScalarType.Int64).cpu().data<long>().ToArray());
        }
    }

    private static string MetricTitle(string name) => name switch
    {
        "balanced_accuracy" => "balanced accuracy",
        _ => name.Replace('_', ' '),
    };

    /// <summary>Cancels every training pass, so a fit of one epoch is one validation pass.</summary>
    private sealed class SkipTraining : Callback
    {
        public override void BeforeTrain() => throw new CancelTrainException("evaluate only validates");
    }

    /// <summary>The confusion counts of validation batches, kept sparse: (actual, predicted) → count, so thousands of classes cost nothing.</summary>
    private sealed class ConfusionCounts(bool enabled) : Callback
    {
        public Dictionary<(int Actual, int Predicted), long> Counts { get; } = [];

        public override void AfterLoss()
        {
            if (!enabled || Learner.Training || Learner.Pred is not { } pred) return;
            using var scope = NewDisposeScope();
            var predicted = pred.argmax(-1).cpu().data<long>().ToArray();
            var actual = Learner.Yb.cpu().data<long>().ToArray();
            for (int i = 0; i < actual.Length; i++)
            {
                var key = ((int)actual[i], (int)predicted[i]);
                Counts[key] = Counts.GetValueOrDefault(key) + 1;
            }
        }
    }

    private static Table ConfusionTable(Dictionary<(int Actual, int Predicted), long> confusion, int n, IReadOnlyList<string> names)
    {
        // Class names head the rows and columns when they are short; long ones would make the table unreadable.
        bool named = names.Count == n && names.All(x => x.Length <= 12) && !names.Select((x, i) => x == i.ToString(CultureInfo.InvariantCulture)).All(b => b);
        string Label(int i) => named ? Markup.Escape(names[i]) : i.ToString(CultureInfo.InvariantCulture);
        var table = new Table().Title("Confusion matrix (rows: actual class, columns: predicted)").Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("actual").RightAligned());
        for (int c = 0; c < n; c++) table.AddColumn(new TableColumn(Label(c)).RightAligned());
        for (int r = 0; r < n; r++)
        {
            var cells = new List<string> { Label(r) };
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
