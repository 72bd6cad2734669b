using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Trainwright.Export.Onnx;
using Trainwright.Inference;
using Trainwright.Models;
using static TorchSharp.torch;
using OrtTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace Trainwright.Bench;

/// <summary>
/// Inference speed: <see cref="Predictor"/> against a bare TorchSharp forward of the same model (one 28×28 item, and a
/// batch), and ONNX Runtime against TorchSharp on the exported graphs of the MLP, the CNN and a small residual network.
/// Inputs are MNIST-shaped random numbers (speed does not depend on the values); decoding is not timed.
/// <para>
/// The predictor's baseline ("bare forward") is what a user writes by hand to get the same answer from the same model,
/// with everything before the model already done for it: the input tensor already normalised and already batched,
/// then, in a dispose scope under <c>no_grad</c>, <c>model.call(x)</c>, <c>softmax(1)</c>, one copy of the probabilities
/// into a float[] and the argmax of each item. The predictor is given the raw (unnormalised) item or batch and returns,
/// per item, a <see cref="Prediction"/>: class index and name, every probability and every logit. The predict bench
/// runs libtorch on one thread (the goal is stated for one), then restores the previous count.
/// </para>
/// </summary>
public static class InferenceBench
{
    /// <summary>Set by <c>--quick</c>: a handful of calls per repetition, to check the bench runs, not to measure.</summary>
    public static bool Quick { get; set; }

    private static int Reps => Quick ? 3 : 15;

    private static readonly Normalization Stats01 = Normalization.Global(0.1307f, 0.3081f);

    private const string BareForward = "bare forward: model.call + softmax + read-out";

    /// <summary>Predictor latency and batch throughput against the bare forward, on one libtorch thread.</summary>
    public static IEnumerable<Comparison> RunPredict()
    {
        int threadsBefore = get_num_threads();
        set_num_threads(1);
        var dir = Directory.CreateTempSubdirectory("tw-bench-predict-").FullName;
        try
        {
            foreach (var (name, description, model) in Models())
            {
                using var m = model;
                var path = Path.Combine(dir, name + ModelFile.Extension);
                ModelFile.Write(path, m, description);
                using var predictor = Predictor.Load(path);
                string subject = predictor.NormalizationFolded ? "Predictor (normalisation folded)" : "Predictor";
                m.eval();
                int calls = Quick ? 10 : 2000;
                using var raw = rand([1, .. description.Input.Shape.Select(d => (long)d)]);
                using var rawItem = raw[0];
                using var normalised = raw.sub(0.1307f).div(0.3081f);
                var (tPredict, tBare) = Interleaved.Time(
                    () => { for (int i = 0; i < calls; i++) predictor.Predict(rawItem); },
                    () => { for (int i = 0; i < calls; i++) Bare(m, normalised); },
                    Reps);
                yield return new Comparison($"{name}: one item, {calls} calls, 1 thread", subject + ".Predict", BareForward,
                    tPredict, tBare, "≤ 1.50×", global::Trainwright.Bench.Stats.Median(tPredict) / global::Trainwright.Bench.Stats.Median(tBare) <= 1.5);

                int items = Quick ? 64 : 4096;
                using var rawBatch = rand([items, .. description.Input.Shape.Select(d => (long)d)]);
                using var normBatch = rawBatch.sub(0.1307f).div(0.3081f);
                void BareBatch()
                {
                    for (long s = 0; s < items; s += predictor.MaxBatchSize)
                    {
                        using var chunk = normBatch.narrow(0, s, Math.Min(predictor.MaxBatchSize, items - s));
                        Bare(m, chunk);
                    }
                }
                // A round lasts at least ~30 ms (the MLP's 4,096 items take ~4 ms: single passes were mostly noise).
                var once = System.Diagnostics.Stopwatch.StartNew();
                BareBatch();
                int passes = Quick ? 1 : Math.Clamp((int)Math.Ceiling(30 / Math.Max(0.1, once.Elapsed.TotalMilliseconds)), 1, 50);
                var (tBatch, tBareBatch) = Interleaved.Time(
                    () => { for (int p = 0; p < passes; p++) predictor.PredictBatch(rawBatch); },
                    () => { for (int p = 0; p < passes; p++) BareBatch(); },
                    Reps);
                yield return new Comparison($"{name}: {items} items in batches of {predictor.MaxBatchSize}, {passes} pass(es) a round, 1 thread", subject + ".PredictBatch", BareForward,
                    tBatch, tBareBatch, "≤ 1.10×", global::Trainwright.Bench.Stats.Median(tBatch) / global::Trainwright.Bench.Stats.Median(tBareBatch) <= 1.1);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            set_num_threads(threadsBefore);
        }
    }

    /// <summary>
    /// The predictor's baseline: the model on an already normalised batch under <c>no_grad</c>, softmax, the
    /// probabilities copied out once and each item's argmax (the predictor's contract, without its record and names).
    /// </summary>
    private static int[] Bare(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var probs = model.call(x).softmax(1);
        int n = (int)probs.size(0), width = (int)probs.size(1);
        var values = MemoryMarshal.Cast<byte, float>(probs.bytes).ToArray();
        var best = new int[n];
        for (int i = 0; i < n; i++)
        {
            int b = 0;
            for (int c = 1; c < width; c++) if (values[i * width + c] > values[i * width + b]) b = c;
            best[i] = b;
        }
        return best;
    }

    /// <summary>ONNX Runtime against TorchSharp, batch 64, reported side by side (no goal).</summary>
    public static IEnumerable<Comparison> RunOnnx()
    {
        foreach (var (name, description, model) in Models(includeResidual: true))
        {
            using var m = model;
            m.eval();
            var bytes = OnnxExporter.ToBytes(m, description, new OnnxExportOptions { IncludeNormalization = false });
            using var options = new SessionOptions { IntraOpNumThreads = get_num_threads(), InterOpNumThreads = 1 };
            using var session = new InferenceSession(bytes, options);
            const int batch = 64;
            int calls = Quick ? 2 : 200;
            using var x = randn([batch, .. description.Input.Shape.Select(d => (long)d)]);
            var data = x.data<float>().ToArray();
            var ortInput = new OrtTensor(data, [batch, .. description.Input.Shape]);
            var inputs = new[] { NamedOnnxValue.CreateFromTensor("input", ortInput) };
            var (tOrt, tTorch) = Interleaved.Time(
                () => { for (int i = 0; i < calls; i++) { using var r = session.Run(inputs); } },
                () => { for (int i = 0; i < calls; i++) TorchForward(m, x); },
                Reps);
            yield return new Comparison($"{name}: batch {batch}, {calls} calls", "ONNX Runtime", "TorchSharp", tOrt, tTorch, "(side by side)", true);
        }
    }

    private static void TorchForward(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.call(x);
    }

    private static IEnumerable<(string Name, ModelDescription Description, nn.Module<Tensor, Tensor> Model)> Models(bool includeResidual = false)
    {
        manual_seed(1);
        yield return ("MLP 784-50-10", new ModelDescription(ModelArchitecture.Mlp(784, 50, 10),
            InputDescription.ForTensor([784], Stats01), TargetDescription.NumberedClasses(10)), Mlp.Create(784, 50, 10));
        yield return ("CNN (default blocks)", new ModelDescription(ModelArchitecture.Cnn(1, 10),
            InputDescription.ForImages(1, 28, 28, Stats01), TargetDescription.NumberedClasses(10)), Cnn.Create(1, 10));
        if (includeResidual)
            yield return ("Residual net (stem + 2 blocks, 32 ch)", new ModelDescription(ModelArchitecture.Custom("bench-residual"),
                InputDescription.ForImages(1, 28, 28, Stats01), TargetDescription.NumberedClasses(10)), BenchResidualNet.Create(32, 10));
    }
}
