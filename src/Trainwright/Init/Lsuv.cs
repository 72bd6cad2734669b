using static TorchSharp.torch;
using Trainwright.Hooks;

namespace Trainwright.Init;

/// <summary>
/// Layer-sequential unit-variance initialisation ("All you need is a good init", Mishkin &amp; Matas 2015): layer by
/// layer in forward order, shift the bias by the output mean and divide the weight by the output std, measured on a
/// real batch, until the output has mean 0 and std 1.
/// </summary>
public static class Lsuv
{
    /// <summary>Default tolerance on |mean| and |std − 1|.</summary>
    public const double DefaultTolerance = 1e-3;

    /// <summary>Default cap on adjustments per layer.</summary>
    public const int DefaultMaxIterations = 10;

    /// <summary>Runs LSUV on <paramref name="model"/> with <paramref name="batch"/>.</summary>
    /// <param name="model">The model; it is called (with hooks) under no_grad, so it must route through <c>call()</c>.</param>
    /// <param name="batch">An input batch for the model (not modified).</param>
    /// <param name="layers">Layers to normalise, in forward order; every Linear and convolution when null.</param>
    /// <param name="tolerance">Stop when |mean| and |std − 1| are below this.</param>
    /// <param name="maxIterations">Cap on adjustments per layer.</param>
    /// <returns>One result per layer, in the order processed.</returns>
    /// <exception cref="ArgumentException">A layer has no <c>weight</c> parameter, or the model never calls a layer.</exception>
    public static IReadOnlyList<LsuvLayerResult> Apply(nn.Module<Tensor, Tensor> model, Tensor batch,
        IEnumerable<NamedModule>? layers = null, double tolerance = DefaultTolerance, int maxIterations = DefaultMaxIterations)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be positive.");
        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations);
        var chosen = (layers ?? LayerSelection.WeightLayers(model)).ToList();
        var results = new List<LsuvLayerResult>(chosen.Count);
        using var _ = no_grad();
        foreach (var layer in chosen)
            results.Add(Normalise(model, batch, layer, tolerance, maxIterations));
        return results;
    }

    private static LsuvLayerResult Normalise(nn.Module<Tensor, Tensor> model, Tensor batch, NamedModule layer,
        double tolerance, int maxIterations)
    {
        var weight = GradientStats.Weight(layer.Module) ?? throw new ArgumentException(
            $"LSUV layer '{layer.Name}' ({layer.Module.GetType().Name}) has no parameter named 'weight'.", nameof(layer));
        var bias = GradientStats.Bias(layer.Module);
        double mean = double.NaN, std = double.NaN;
        bool seen = false;
        using var hook = new Hook(layer.Module, (_, _, output) =>
        {
            // The last call wins; the model might call the layer more than once (weight sharing).
            (mean, std) = TensorStats.MeanStd(output);
            seen = true;
        }, layer.Name);

        void Measure()
        {
            seen = false;
            using var scope = NewDisposeScope();
            model.call(batch);
            if (!seen)
                throw new ArgumentException(
                    $"LSUV layer '{layer.Name}' was not called by the model's forward; hooks fire only through call().", nameof(layer));
        }

        // A layer without bias can only fix its std.
        bool Done() => Math.Abs(std - 1) < tolerance && (bias is null || Math.Abs(mean) < tolerance);

        Measure();
        int iterations = 0;
        while (!Done() && iterations < maxIterations)
        {
            if (!(std > 0) || !double.IsFinite(std))
                break; // A constant or non-finite output cannot be rescaled to unit variance.
            bias?.sub_(mean);
            weight.div_(std);
            iterations++;
            Measure();
        }
        return new LsuvLayerResult(layer.Name, iterations, mean, std, Done());
    }
}
