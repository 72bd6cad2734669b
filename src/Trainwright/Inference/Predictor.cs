using System.Runtime.InteropServices;
using Trainwright.Data.Images;
using Trainwright.Data.Tables;
using static TorchSharp.torch;

namespace Trainwright.Inference;

/// <summary>
/// Predicts with a model loaded from a model file: no training code, data set or optimizer. Raw input goes through
/// the file's preprocessing (<see cref="IInputPreprocessor"/>), then the model in eval mode without gradients.
/// <list type="bullet">
/// <item>Image models: <see cref="Predict(string)"/> (a file), <see cref="Predict(byte[], string)"/> (encoded bytes),
/// <see cref="PredictFiles"/> and <see cref="PredictImages"/> (many; decoded in parallel, one forward per batch).
/// Decoding, resizing and normalising are the images library's <see cref="ImagePreprocessing"/>, as in training.</item>
/// <item>Table models: <see cref="PredictTable(Table)"/> and <see cref="PredictTable(string, TableReadOptions?)"/>, one
/// prediction per row through the stored <see cref="TabularPreprocessor"/>; regression values come back in the
/// target's units (<see cref="Prediction.Value"/>).</item>
/// <item>Any model: <see cref="Predict(Tensor)"/> and <see cref="PredictBatch(Tensor)"/> on raw tensors.</item>
/// </list>
/// <para>
/// Thread safety: every public member may be called from many threads at once (e.g. by a web server's requests).
/// Decoding and preprocessing run concurrently; the forward pass is serialised by a lock, each call inside its own
/// dispose scope and <c>inference_mode</c>, and results are copied out as arrays, so no tensor outlives a call. For
/// throughput, give many items to <see cref="PredictBatch(Tensor)"/>: one forward per <see cref="MaxBatchSize"/> items
/// instead of one per item.
/// </para>
/// <para>
/// Speed: when the model starts with a Linear on flat items or an unpadded Conv2d, the input normalisation is folded
/// into that layer's weights at load (<see cref="NormalizationFolded"/>; see <see cref="PredictorOptions.FoldNormalization"/>),
/// so raw input goes straight into the model; otherwise each forward's batch is normalised by the shared preprocessing.
/// </para>
/// </summary>
public sealed class Predictor : IDisposable
{
    private readonly Lock gate = new();
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly FoldedNormalization? folded;
    private readonly int outputCount;
    private bool disposed;

    private Predictor(ModelManifest manifest, nn.Module<Tensor, Tensor> model, IInputPreprocessor preprocessor, PredictorOptions options)
    {
        Manifest = manifest;
        this.model = model;
        Preprocessor = preprocessor;
        Options = options;
        outputCount = manifest.Target.Names.Count;
        model.eval();
        folded = options.FoldNormalization ? FoldedNormalization.TryCreate(model, manifest.Input) : null;
        Runtime.MklKernels.PreferAvx512();
    }

    /// <summary>
    /// Loads a model file written by <see cref="ModelFile.Write"/> (or <c>learner.Export</c>) and rebuilds its model
    /// in eval mode. Custom models need their factory registered in <paramref name="registry"/> (default
    /// <see cref="ModelRegistry.Default"/>) first.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="registry">Factories of custom models (default <see cref="ModelRegistry.Default"/>).</param>
    /// <param name="options">Batch size, decode threads, normalisation folding (default <see cref="PredictorOptions"/>'s defaults).</param>
    /// <exception cref="ModelFileException">Missing, not a model file, newer format, damaged, or an unregistered factory.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public static Predictor Load(string path, ModelRegistry? registry = null, PredictorOptions? options = null)
    {
        options = (options ?? new PredictorOptions()).Validate();
        var loaded = ModelFile.Load(path, registry);
        try
        {
            return new Predictor(loaded.Manifest, loaded.Module, InputPreprocessors.For(loaded.Manifest.Input), options);
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

    /// <summary>The options the predictor was loaded with.</summary>
    public PredictorOptions Options { get; }

    /// <summary>Most items per forward pass in a batch prediction (<see cref="PredictorOptions.MaxBatchSize"/>); larger batches are split.</summary>
    public int MaxBatchSize => Options.MaxBatchSize;

    /// <summary>Images decoded at once by the batch methods (<see cref="PredictorOptions.DecodeThreads"/>).</summary>
    public int DecodeThreads => Options.DecodeThreads;

    /// <summary>Whether the input normalisation is folded into the model's first layer (see the class remarks).</summary>
    public bool NormalizationFolded => folded is not null;

    /// <summary>Predicts the image file at <paramref name="imagePath"/> (an image model's file).</summary>
    /// <exception cref="ImageDataException">The file is missing, unreadable or not a usable image.</exception>
    /// <exception cref="InvalidOperationException">The model does not take images.</exception>
    public Prediction Predict(string imagePath)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        var image = ImageInput();
        using var scope = NewDisposeScope();
        return ToPrediction(Run(image.DecodeFile(imagePath).unsqueeze(0))[0]);
    }

    /// <summary>Predicts an encoded image (PNG, JPEG, BMP, GIF, WebP) held in memory; <paramref name="name"/> appears in errors.</summary>
    /// <exception cref="ImageDataException">The bytes are not a usable image.</exception>
    /// <exception cref="InvalidOperationException">The model does not take images.</exception>
    public Prediction Predict(byte[] imageBytes, string name = "image")
    {
        ArgumentNullException.ThrowIfNull(imageBytes);
        var image = ImageInput();
        using var scope = NewDisposeScope();
        return ToPrediction(Run(image.Decode(imageBytes, name).unsqueeze(0))[0]);
    }

    /// <summary>
    /// Predicts many image files: each batch of <see cref="MaxBatchSize"/> files is decoded on
    /// <see cref="DecodeThreads"/> threads, then goes through one forward pass. A file that is not a usable image gets
    /// its one-line <see cref="FilePrediction.Error"/> and the others are still predicted. Results are in input order.
    /// </summary>
    /// <param name="imagePaths">Image files.</param>
    /// <param name="progress">Told the number of files done after each batch.</param>
    /// <exception cref="InvalidOperationException">The model does not take images.</exception>
    public IReadOnlyList<FilePrediction> PredictFiles(IReadOnlyList<string> imagePaths, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        var image = ImageInput();
        var results = new List<FilePrediction>(imagePaths.Count);
        foreach (var chunk in imagePaths.Chunk(MaxBatchSize))
        {
            var decoded = DecodeAll(chunk.Length, i => image.DecodeFile(chunk[i]), throwOnBadImage: false, out var errors);
            var good = Enumerable.Range(0, chunk.Length).Where(i => errors[i] is null).ToArray();
            IReadOnlyList<Prediction> predictions = [];
            using (var scope = NewDisposeScope())
            {
                if (good.Length > 0) predictions = ToPredictions(Run(stack(good.Select(i => decoded[i]!))));
                foreach (var t in decoded) t?.Dispose();
            }
            int next = 0;
            for (int i = 0; i < chunk.Length; i++)
                results.Add(errors[i] is { } error ? new FilePrediction(chunk[i], null, error) : new FilePrediction(chunk[i], predictions[next++], null));
            progress?.Report(results.Count);
        }
        return results;
    }

    /// <summary>
    /// Predicts many encoded images held in memory, decoded in parallel, one forward pass per <see cref="MaxBatchSize"/>.
    /// </summary>
    /// <param name="images">Encoded images.</param>
    /// <param name="names">Names for error messages (default "image 0", "image 1", …).</param>
    /// <exception cref="ImageDataException">One of the images is not usable; the message names it.</exception>
    public IReadOnlyList<Prediction> PredictImages(IReadOnlyList<byte[]> images, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (names is not null && names.Count != images.Count)
            throw new ArgumentException($"Give one name per image: {images.Count} images, {names.Count} names.", nameof(names));
        var image = ImageInput();
        var results = new List<Prediction>(images.Count);
        for (int start = 0; start < images.Count; start += MaxBatchSize)
        {
            int count = Math.Min(MaxBatchSize, images.Count - start), first = start;
            var decoded = DecodeAll(count, i => image.Decode(images[first + i], names?[first + i] ?? $"image {first + i}"), throwOnBadImage: true, out _);
            using var scope = NewDisposeScope();
            results.AddRange(ToPredictions(Run(stack(decoded!))));
            foreach (var t in decoded) t?.Dispose();
        }
        return results;
    }

    /// <summary>
    /// Predicts every row of <paramref name="table"/> (a table model's rows; the target column may be absent), in row
    /// order: the class and every class's probability, or the regression value in the target's units.
    /// </summary>
    /// <exception cref="TabularDataException">An input column is missing or holds unusable values; the message says which.</exception>
    /// <exception cref="InvalidOperationException">The model does not take table rows.</exception>
    public IReadOnlyList<Prediction> PredictTable(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var preprocessor = Input.Table ?? throw new InvalidOperationException($"This model takes {Input.Kind.ToString().ToLowerInvariant()} input, not table rows.");
        var matrix = preprocessor.Transform(table, null, withTarget: false);
        if (matrix.Rows == 0) return [];
        using var x = matrix.InputTensor();
        return PredictBatch(x);
    }

    /// <summary>Reads the CSV or Parquet file at <paramref name="path"/> and predicts its rows; see <see cref="PredictTable(Table)"/>.</summary>
    /// <exception cref="TabularDataException">The file cannot be read, or lacks an input column.</exception>
    public IReadOnlyList<Prediction> PredictTable(string path, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Input.Table is null) throw new InvalidOperationException($"This model takes {Input.Kind.ToString().ToLowerInvariant()} input, not table rows.");
        return PredictTable(Table.Read(path, options));
    }

    /// <summary>Predicts one raw item of the input shape (e.g. [784] or [1, 28, 28]).</summary>
    /// <exception cref="ArgumentException">The item does not have the model's input shape.</exception>
    public Prediction Predict(Tensor item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckItem(item);
        using var batch = item.unsqueeze(0);
        return ToPrediction(Run(batch)[0]);
    }

    /// <summary>Predicts a batch of raw items [N, …input shape], one prediction per item, in order.</summary>
    /// <exception cref="ArgumentException">The batch does not have the model's input shape.</exception>
    public IReadOnlyList<Prediction> PredictBatch(Tensor items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return ToPredictions(Run(items));
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
            results.AddRange(ToPredictions(Run(stack(chunk))));
        }
        return results;
    }

    /// <summary>The model's raw outputs (logits or regression values) for a batch of raw items, one array per item.</summary>
    public float[][] Outputs(Tensor items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return Run(items);
    }

    /// <summary>
    /// Runs the model on a batch of raw items [N, …] (decoded images, or tensors of the input shape), at most
    /// <see cref="MaxBatchSize"/> items per forward, one output array per item. Each chunk is prepared outside the lock
    /// (normalised by the shared preprocessing, or only converted to float when the normalisation is folded), and read
    /// out with one copy.
    /// </summary>
    private float[][] Run(Tensor raw)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var inference = inference_mode();
        long n = raw.dim() > 0 ? raw.size(0) : 0;
        if (n == 0)
        {
            using var check = NewDisposeScope();
            Prepare(raw); // the shape check, for its message
            return [];
        }
        var result = new float[n][];
        for (long start = 0; start < n; start += MaxBatchSize)
        {
            long count = Math.Min(MaxBatchSize, n - start);
            using var scope = NewDisposeScope();
            var x = Prepare(count == n ? raw : raw.narrow(0, start, count));
            Tensor y;
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                y = folded is null ? model.call(x) : folded.Forward(x);
            }
            CopyOut(y, result, start, count);
        }
        return result;
    }

    // Without statistics (tables, unnormalised tensors) the raw scale is the model input; no need for PrepareBatch's copy.
    private Tensor Prepare(Tensor rawChunk) =>
        folded is null && Input.Normalize is not null ? Preprocessor.PrepareBatch(rawChunk) : Preprocessor.ToRawScale(rawChunk);

    /// <summary>Copies <paramref name="y"/> [count, outputs] into one float array per item, with one read of the tensor's memory.</summary>
    private void CopyOut(Tensor y, float[][] result, long start, long count)
    {
        if (y.dim() != 2 || y.size(0) != count || y.size(1) != outputCount)
            throw new InvalidOperationException($"The model returned shape [{string.Join(", ", y.shape)}] for {count} items, but the file describes {outputCount} outputs per item.");
        if (y.dtype != ScalarType.Float32) y = y.to_type(ScalarType.Float32);
        if (!y.is_contiguous()) y = y.contiguous();
        var values = MemoryMarshal.Cast<byte, float>(y.bytes);
        for (int i = 0; i < count; i++) result[start + i] = values.Slice(i * outputCount, outputCount).ToArray();
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
            folded?.Dispose();
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
        // dim() and size(i): reading shape costs more than a small model's layer.
        bool fits = item.dim() == Input.Shape.Count;
        for (int i = 0; fits && i < Input.Shape.Count; i++) fits = item.size(i) == Input.Shape[i];
        if (!fits)
            throw new ArgumentException($"Wrong input shape [{string.Join(", ", item.shape)}]: the model takes items of shape {Input.ShapeText}.", nameof(item));
    }

    private ImagePreprocessing ImageInput() =>
        Input.Image ?? throw new InvalidOperationException($"This model takes {Input.Kind.ToString().ToLowerInvariant()} input of shape {Input.ShapeText}, not image files.");

    /// <summary>Decodes <paramref name="count"/> images on up to <see cref="DecodeThreads"/> threads; bad images give an error line (or throw).</summary>
    private Tensor?[] DecodeAll(int count, Func<int, Tensor> decode, bool throwOnBadImage, out string?[] errors)
    {
        var decoded = new Tensor?[count];
        var messages = new string?[count];
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, DecodeThreads) }, i =>
            {
                try
                {
                    decoded[i] = decode(i);
                }
                catch (ImageDataException e) when (!throwOnBadImage)
                {
                    messages[i] = e.Message;
                }
            });
        }
        catch (AggregateException e)
        {
            foreach (var t in decoded) t?.Dispose();
            if (e.InnerExceptions.Count == 1) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        errors = messages;
        return decoded;
    }

    private Prediction[] ToPredictions(float[][] outputs)
    {
        var results = new Prediction[outputs.Length];
        for (int i = 0; i < outputs.Length; i++) results[i] = ToPrediction(outputs[i]);
        return results;
    }

    private Prediction ToPrediction(float[] outputs)
    {
        if (Manifest.Target.Kind == TargetKind.Regression)
            return new Prediction(-1, "", float.NaN, [], outputs) { Values = [.. outputs.Select(o => Manifest.Target.ToTargetUnits(o))] };
        var probs = Softmax(outputs);
        int best = 0;
        for (int i = 1; i < probs.Length; i++) if (probs[i] > probs[best]) best = i;
        return new Prediction(best, Labels[best], probs[best], probs, outputs);
    }

    // Softmax in double on the copied logits: cheaper than another tensor op per item, and exact enough (≤ 1e-7).
    private static float[] Softmax(float[] logits)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (var l in logits) max = Math.Max(max, l);
        var e = new double[logits.Length];
        for (int i = 0; i < e.Length; i++) sum += e[i] = Math.Exp(logits[i] - max);
        var p = new float[logits.Length];
        for (int i = 0; i < p.Length; i++) p[i] = (float)(e[i] / sum);
        return p;
    }
}
