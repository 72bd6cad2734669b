using Trainwright.Data;
using Trainwright.Learning;
using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>Builds a <see cref="ClassificationReport"/> from a model and data, or from outputs already computed.</summary>
public static class Interpretation
{
    /// <summary>
    /// Runs <paramref name="model"/> (in eval mode, without gradients) over every batch of <paramref name="loader"/>
    /// and reports on its predictions. The model's training mode is restored afterwards.
    /// </summary>
    /// <param name="model">A classifier returning one logit per class.</param>
    /// <param name="loader">Batches of inputs and int64 class targets.</param>
    /// <param name="classes">Class names (length = number of model outputs).</param>
    /// <param name="topLosses">How many highest-loss items to keep.</param>
    /// <param name="mostConfused">How many confused pairs to keep.</param>
    public static ClassificationReport Evaluate(nn.Module<Tensor, Tensor> model, IDataLoader loader, IReadOnlyList<string> classes,
        int topLosses = 16, int mostConfused = 20)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loader);
        bool wasTraining = model.training;
        model.eval();
        var logits = new List<float[]>();
        var targets = new List<long>();
        int width = 0;
        try
        {
            foreach (var batch in loader)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var y = model.call(batch.Xb);
                width = (int)y.size(1);
                logits.Add(y.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray());
                targets.AddRange(batch.Yb.to_type(ScalarType.Int64).cpu().data<long>().ToArray());
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }
        var flat = logits.SelectMany(l => l).ToArray();
        return FromLogits(flat, width, [.. targets], classes, topLosses, mostConfused);
    }

    /// <summary>Reports on the learner's model over <paramref name="loader"/> (default: its validation data).</summary>
    public static ClassificationReport Interpret(this Learner learner, IReadOnlyList<string>? classes = null, IDataLoader? loader = null,
        int topLosses = 16, int mostConfused = 20)
    {
        ArgumentNullException.ThrowIfNull(learner);
        classes ??= [.. Enumerable.Range(0, learner.Data.C).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        return Evaluate(learner.Model, loader ?? learner.Data.Valid, classes, topLosses, mostConfused);
    }

    /// <summary>
    /// Reports on a loaded model's predictions for raw items [N, …input shape] (preprocessed as the model file says),
    /// <paramref name="maxBatch"/> items per forward pass.
    /// </summary>
    public static ClassificationReport Evaluate(Predictor predictor, Tensor rawItems, IReadOnlyList<long> targets,
        int topLosses = 16, int mostConfused = 20, int maxBatch = 1024)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(rawItems);
        if (predictor.Manifest.Target.Kind != TargetKind.Classification)
            throw new InvalidOperationException("An interpretation needs a classifier; this model file describes a regression model.");
        long n = rawItems.size(0);
        var logits = new List<float>();
        for (long start = 0; start < n; start += maxBatch)
        {
            using var chunk = rawItems.narrow(0, start, Math.Min(maxBatch, n - start));
            foreach (var row in predictor.Outputs(chunk)) logits.AddRange(row);
        }
        return FromLogits(logits.ToArray(), predictor.Labels.Count, targets, predictor.Labels, topLosses, mostConfused);
    }

    /// <summary>
    /// Reports on logits already computed: <paramref name="logits"/> holds N rows of <paramref name="classCount"/>
    /// values, row i for target <paramref name="targets"/>[i]. O(N·C) time, memory O(N + C + distinct mistakes).
    /// </summary>
    public static ClassificationReport FromLogits(ReadOnlySpan<float> logits, int classCount, IReadOnlyList<long> targets,
        IReadOnlyList<string> classes, int topLosses = 16, int mostConfused = 20)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(classes);
        int n = targets.Count;
        if (n == 0) throw new ArgumentException("There is nothing to evaluate: no items.", nameof(targets));
        if (classCount != classes.Count)
            throw new ArgumentException($"The model gives {classCount} outputs per item but {classes.Count} class names were given.", nameof(classes));
        if (logits.Length != (long)n * classCount)
            throw new ArgumentException($"Expected {n} × {classCount} logits, got {logits.Length}.", nameof(logits));

        var predicted = new int[n];
        var loss = new double[n];
        var probability = new double[n];
        var pairs = new Dictionary<(int, int), int>();
        var support = new int[classCount];
        var predictedCount = new int[classCount];
        var correct = new int[classCount];
        double lossSum = 0;
        for (int i = 0; i < n; i++)
        {
            long t = targets[i];
            if (t < 0 || t >= classCount)
                throw new ArgumentException($"Target {t} of item {i} is not a class index (0..{classCount - 1}).", nameof(targets));
            var row = logits.Slice(i * classCount, classCount);
            int best = 0;
            for (int c = 1; c < classCount; c++) if (row[c] > row[best]) best = c;
            double sum = 0;
            for (int c = 0; c < classCount; c++) sum += Math.Exp(row[c] - row[best]);
            double logSumExp = row[best] + Math.Log(sum);
            loss[i] = logSumExp - row[(int)t];
            probability[i] = 1 / sum;
            predicted[i] = best;
            lossSum += loss[i];
            int actual = (int)t;
            support[actual]++;
            predictedCount[best]++;
            if (best == actual) correct[actual]++;
            pairs[(actual, best)] = pairs.GetValueOrDefault((actual, best)) + 1;
        }

        var perClass = new ClassMetrics[classCount];
        for (int c = 0; c < classCount; c++)
        {
            double p = predictedCount[c] == 0 ? 0 : (double)correct[c] / predictedCount[c];
            double r = support[c] == 0 ? 0 : (double)correct[c] / support[c];
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            perClass[c] = new ClassMetrics(c, classes[c], p, r, f1, support[c], predictedCount[c]);
        }
        var present = perClass.Where(m => m.Support > 0 || m.Predicted > 0).ToList();
        var macro = new AveragedMetrics(present.Average(m => m.Precision), present.Average(m => m.Recall), present.Average(m => m.F1));
        var weighted = new AveragedMetrics(
            perClass.Sum(m => m.Precision * m.Support) / n, perClass.Sum(m => m.Recall * m.Support) / n, perClass.Sum(m => m.F1 * m.Support) / n);
        var confused = pairs.Where(kv => kv.Key.Item1 != kv.Key.Item2)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Item1).ThenBy(kv => kv.Key.Item2)
            .Take(Math.Max(0, mostConfused))
            .Select(kv => new ConfusedPair(kv.Key.Item1, kv.Key.Item2, classes[kv.Key.Item1], classes[kv.Key.Item2], kv.Value))
            .ToList();
        var top = Enumerable.Range(0, n).OrderByDescending(i => loss[i]).ThenBy(i => i).Take(Math.Max(0, topLosses))
            .Select(i => new TopLoss(i, (int)targets[i], predicted[i], classes[(int)targets[i]], classes[predicted[i]], loss[i], probability[i]))
            .ToList();
        double accuracy = (double)correct.Sum() / n;
        return new ClassificationReport(classes, n, accuracy, lossSum / n, perClass, macro, weighted, confused,
            new ConfusionMatrix(classCount, pairs), top);
    }
}
