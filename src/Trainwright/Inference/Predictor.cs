using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>
/// Predicts with a model loaded from a model file: no training code, data set or optimizer. Raw input goes through
/// the file's preprocessing (<see cref="IInputPreprocessor"/>), then the model in eval mode without gradients.
/// <para>
/// Thread safety: every public member may be called from many threads at once (e.g. by a web server's requests).
/// Preprocessing runs concurrently; the forward pass is serialised by a lock, each call inside its own dispose scope
/// and <c>no_grad</c>, and results are copied out as arrays, so no tensor outlives a call. For throughput, give many
/// items to <see cref="PredictBatch(Tensor)"/>: one forward per <see cref="MaxBatchSize"/> items instead of one per item.
/// </para>
/// </summary>
public sealed class Predictor : IDisposable
{
    private readonly Lock gate = new();
    private readonly nn.Module<Tensor, Tensor> model;
    private bool disposed;

    private Predictor(ModelManifest manifest, nn.Module<Tensor, Tensor> model, IInputPreprocessor preprocessor)
    {
        Manifest = manifest;
        this.model = model;
        Preprocessor = preprocessor;
        model.eval();
    }

    /// <summary>
    /// Loads a model file written by <see cref="ModelFile.Write"/> (or <c>learner.Export</c>) and rebuilds its model
    /// in eval mode. Custom models need their factory registered in <paramref name="registry"/> (default
    /// <see cref="ModelRegistry.Default"/>) first.
    /// </summary>
    /// <exception cref="ModelFileException">Missing, not a model file, newer format, damaged, or an unregistered factory.</exception>
    public static Predictor Load(string path, ModelRegistry? registry = null)
    {
        var loaded = ModelFile.Load(path, registry);
        try
        {
            return new Predictor(loaded.Manifest, loaded.Module, InputPreprocessors.For(loaded.Manifest.Input));
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>What the model file says: architecture, input, target, versions.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The input description.</summary>
    public InputDescription Input => Manifest.Input;

    /// <summary>Class names (classification) or output names (regression).</summary>
    public IReadOnlyList<string> Labels => Manifest.Target.Names;

    /// <summary>The preprocessing every input goes through.</summary>
    public IInputPreprocessor Preprocessor { get; }

    /// <summary>Most items per forward pass in a batch prediction (default 256); larger batches are split.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>Predicts one raw item of the input shape (e.g. [784] or [1, 28, 28]).</summary>
    /// <exception cref="ArgumentException">The item does not have the model's input shape.</exception>
    public Prediction Predict(Tensor item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckItem(item);
        using var batch = item.unsqueeze(0);
        return PredictBatch(batch)[0];
    }

    /// <summary>Predicts a batch of raw items [N, …input shape], one prediction per item, in order.</summary>
    /// <exception cref="ArgumentException">The batch does not have the model's input shape.</exception>
    public IReadOnlyList<Prediction> PredictBatch(Tensor items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var outputs = Outputs(items);
        var results = new Prediction[outputs.Length];
        for (int i = 0; i < outputs.Length; i++) results[i] = ToPrediction(outputs[i]);
        return results;
    }

    /// <summary>Predicts several raw items of the input shape, stacked into batches of up to <see cref="MaxBatchSize"/>.</summary>
    public IReadOnlyList<Prediction> PredictBatch(IEnumerable<Tensor> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToList();
        if (list.Count == 0) return [];
        var results = new List<Prediction>(list.Count);
        foreach (var chunk in list.Chunk(MaxBatchSize))
        {
            using var scope = NewDisposeScope();
            foreach (var t in chunk) CheckItem(t);
            var batch = stack(chunk);
            results.AddRange(PredictBatch(batch));
        }
        return results;
    }

    /// <summary>The model's raw outputs (logits or regression values) for a batch of raw items, one array per item.</summary>
    public float[][] Outputs(Tensor items)
    {
        ArgumentNullException.ThrowIfNull(items);
        ObjectDisposedException.ThrowIf(disposed, this);
        using var scope = NewDisposeScope();
        var x = Preprocessor.PrepareBatch(items);
        long n = x.size(0);
        var result = new float[n][];
        for (long start = 0; start < n; start += MaxBatchSize)
        {
            long count = Math.Min(MaxBatchSize, n - start);
            var chunk = x.narrow(0, start, count);
            float[] flat;
            int width;
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                using var inner = NewDisposeScope();
                using var noGrad = no_grad();
                var y = model.call(chunk);
                if (y.dim() != 2 || y.size(1) != Labels.Count)
                    throw new InvalidOperationException($"The model returned shape [{string.Join(", ", y.shape)}], but the file describes {Labels.Count} outputs per item.");
                width = (int)y.size(1);
                flat = y.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            }
            for (int i = 0; i < count; i++) result[start + i] = flat.AsSpan(i * width, width).ToArray();
        }
        return result;
    }

    /// <summary>
    /// Writes the model as ONNX (see <see cref="Export.Onnx.OnnxExporter"/>), with the file's input and target
    /// descriptions; by default the normalisation becomes the graph's leading nodes.
    /// </summary>
    public void ExportOnnx(string path, Export.Onnx.OnnxExportOptions? options = null) =>
        WithModel(m =>
        {
            Export.Onnx.OnnxExporter.Export(path, m, Manifest.Description, options);
            return true;
        });

    /// <summary>Frees the model's weights. Calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            model.Dispose();
        }
    }

    /// <summary>Runs <paramref name="action"/> on the model under the predictor's lock (for exporters, not for predicting).</summary>
    internal T WithModel<T>(Func<nn.Module<Tensor, Tensor>, T> action)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return action(model);
        }
    }

    private void CheckItem(Tensor item)
    {
        if (!item.shape.Select(d => (int)d).SequenceEqual(Input.Shape))
            throw new ArgumentException($"Wrong input shape [{string.Join(", ", item.shape)}]: the model takes items of shape {Input.ShapeText}.", nameof(item));
    }

    private Prediction ToPrediction(float[] outputs)
    {
        if (Manifest.Target.Kind == TargetKind.Regression)
            return new Prediction(-1, "", float.NaN, [], outputs);
        var probs = Softmax(outputs);
        int best = 0;
        for (int i = 1; i < probs.Length; i++) if (probs[i] > probs[best]) best = i;
        return new Prediction(best, Labels[best], probs[best], probs, outputs);
    }

    // Softmax in double on the copied logits: cheaper than another tensor op per item, and exact enough (≤ 1e-7).
    private static float[] Softmax(float[] logits)
    {
        double max = logits.Max(), sum = 0;
        var e = new double[logits.Length];
        for (int i = 0; i < e.Length; i++) sum += e[i] = Math.Exp(logits[i] - max);
        var p = new float[logits.Length];
        for (int i = 0; i < p.Length; i++) p[i] = (float)(e[i] / sum);
        return p;
    }
}
