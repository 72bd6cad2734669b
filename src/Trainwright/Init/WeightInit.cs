using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Init;

/// <summary>
/// Weight initialisations written against their formulas, in place and reproducible with an optional generator.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's own <c>torch.nn.init</c> has traps these avoid: <c>xavier_normal_</c> samples a uniform
/// distribution, <c>trunc_normal_</c> fills a constant, and <c>uniform_</c>/<c>normal_</c> ignore their generator.
/// Every method here runs under <c>no_grad</c> (so it works on parameters) and returns the tensor it filled.
/// </remarks>
public static class WeightInit
{
    /// <summary>The factor that keeps the variance of activations through <paramref name="nonlinearity"/>.</summary>
    /// <param name="nonlinearity">The function applied after the layer.</param>
    /// <param name="a">Negative slope, used only by <see cref="Nonlinearity.LeakyReLU"/>.</param>
    /// <returns>1 for linear/conv/sigmoid, 5/3 for tanh, √2 for ReLU, √(2/(1+a²)) for leaky ReLU, 3/4 for SELU.</returns>
    public static double CalculateGain(Nonlinearity nonlinearity, double a = 0) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Conv or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3.0,
        Nonlinearity.ReLU => Math.Sqrt(2.0),
        Nonlinearity.LeakyReLU => Math.Sqrt(2.0 / (1.0 + a * a)),
        Nonlinearity.Selu => 3.0 / 4.0,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "Unknown nonlinearity."),
    };

    /// <summary>
    /// Effective fan-in and fan-out of a weight shaped [out, in, k₁, k₂, …]: the receptive field is the product of the
    /// dimensions after the first two, so fan-in = in·rf and fan-out = out·rf (a Linear weight has rf = 1).
    /// </summary>
    /// <param name="weight">A weight with at least two dimensions.</param>
    /// <exception cref="ArgumentException">The weight has fewer than two dimensions (a bias or a scalar).</exception>
    public static (long FanIn, long FanOut) Fans(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Dimensions < 2)
            throw new ArgumentException(
                $"Fans need a weight with at least 2 dimensions [out, in, ...], but got shape [{string.Join(", ", weight.shape)}]; " +
                "biases and scalars have no fan-in/fan-out (initialise them with a constant or a uniform instead).", nameof(weight));
        long receptiveField = 1;
        for (int d = 2; d < weight.Dimensions; d++) receptiveField *= weight.shape[d];
        return (weight.shape[1] * receptiveField, weight.shape[0] * receptiveField);
    }

    /// <summary>Standard deviation a Kaiming initialisation targets: gain / √fan.</summary>
    /// <param name="weight">The weight whose fans are used.</param>
    /// <param name="a">Negative slope of the leaky ReLU that follows (0 for a plain ReLU).</param>
    /// <param name="mode">Normalise by fan-in (forward) or fan-out (backward).</param>
    /// <param name="nonlinearity">The function after the layer.</param>
    public static double KaimingStd(Tensor weight, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyReLU)
    {
        var (fanIn, fanOut) = Fans(weight);
        long fan = mode == FanMode.FanIn ? fanIn : fanOut;
        return CalculateGain(nonlinearity, a) / Math.Sqrt(fan);
    }

    /// <summary>Fills <paramref name="weight"/> from N(0, (gain/√fan)²) (He et al. 2015).</summary>
    /// <param name="weight">The tensor to fill, at least 2-D.</param>
    /// <param name="a">Negative slope of the leaky ReLU that follows (0 for ReLU; 1 for no nonlinearity).</param>
    /// <param name="mode">Normalise by fan-in or fan-out.</param>
    /// <param name="nonlinearity">The function after the layer.</param>
    /// <param name="generator">Optional generator for reproducible draws.</param>
    /// <returns><paramref name="weight"/>.</returns>
    public static Tensor KaimingNormal_(Tensor weight, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyReLU, Generator? generator = null)
    {
        double std = KaimingStd(weight, a, mode, nonlinearity);
        using var _ = no_grad();
        return weight.normal_(0, std, generator);
    }

    /// <summary>Fills <paramref name="weight"/> from U(−b, b) with b = gain·√3/√fan, so its std is gain/√fan.</summary>
    /// <param name="weight">The tensor to fill, at least 2-D.</param>
    /// <param name="a">Negative slope of the leaky ReLU that follows (PyTorch's conv default uses √5).</param>
    /// <param name="mode">Normalise by fan-in or fan-out.</param>
    /// <param name="nonlinearity">The function after the layer.</param>
    /// <param name="generator">Optional generator for reproducible draws.</param>
    /// <returns><paramref name="weight"/>.</returns>
    public static Tensor KaimingUniform_(Tensor weight, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyReLU, Generator? generator = null)
    {
        // A uniform on (−1, 1) has std 1/√3, hence the √3 to reach the target std.
        double bound = Math.Sqrt(3.0) * KaimingStd(weight, a, mode, nonlinearity);
        using var _ = no_grad();
        return weight.uniform_(-bound, bound, generator);
    }

    /// <summary>Standard deviation a Xavier/Glorot initialisation targets: gain·√(2/(fanIn+fanOut)).</summary>
    /// <param name="weight">The weight whose fans are used.</param>
    /// <param name="gain">Scaling factor.</param>
    public static double XavierStd(Tensor weight, double gain = 1.0)
    {
        var (fanIn, fanOut) = Fans(weight);
        return gain * Math.Sqrt(2.0 / (fanIn + fanOut));
    }

    /// <summary>Fills <paramref name="weight"/> from a normal N(0, (gain·√(2/(fanIn+fanOut)))²) — really normal.</summary>
    /// <param name="weight">The tensor to fill, at least 2-D.</param>
    /// <param name="gain">Scaling factor.</param>
    /// <param name="generator">Optional generator for reproducible draws.</param>
    /// <returns><paramref name="weight"/>.</returns>
    public static Tensor XavierNormal_(Tensor weight, double gain = 1.0, Generator? generator = null)
    {
        double std = XavierStd(weight, gain);
        using var _ = no_grad();
        return weight.normal_(0, std, generator);
    }

    /// <summary>Fills <paramref name="weight"/> from U(−b, b), b = gain·√(6/(fanIn+fanOut)).</summary>
    /// <param name="weight">The tensor to fill, at least 2-D.</param>
    /// <param name="gain">Scaling factor.</param>
    /// <param name="generator">Optional generator for reproducible draws.</param>
    /// <returns><paramref name="weight"/>.</returns>
    public static Tensor XavierUniform_(Tensor weight, double gain = 1.0, Generator? generator = null)
    {
        double bound = Math.Sqrt(3.0) * XavierStd(weight, gain);
        using var _ = no_grad();
        return weight.uniform_(-bound, bound, generator);
    }

    /// <summary>
    /// Fills <paramref name="weight"/> with a (semi-)orthogonal matrix times <paramref name="gain"/> (Saxe et al. 2013):
    /// the weight is viewed as [shape₀, rest], a normal matrix of that shape is QR-decomposed and Q's columns get the
    /// signs of R's diagonal so the result is uniformly distributed over orthogonal matrices.
    /// </summary>
    /// <param name="weight">The tensor to fill, at least 2-D.</param>
    /// <param name="gain">Scaling factor.</param>
    /// <param name="generator">Optional generator for reproducible draws.</param>
    /// <returns><paramref name="weight"/>; its rows are orthonormal (times gain) when rows ≤ columns, its columns otherwise.</returns>
    public static Tensor Orthogonal_(Tensor weight, double gain = 1.0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Dimensions < 2)
            throw new ArgumentException(
                $"Orthogonal_ needs a weight with at least 2 dimensions, but got shape [{string.Join(", ", weight.shape)}].", nameof(weight));
        long rows = weight.shape[0];
        long cols = weight.numel() / rows;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        // QR needs a tall matrix for Q to span the smaller dimension; transpose back afterwards.
        bool wide = rows < cols;
        var flat = randn(wide ? cols : rows, wide ? rows : cols, dtype: ScalarType.Float64, device: weight.device, generator: generator);
        var (q, r) = linalg.qr(flat);
        var signs = r.diagonal().sign();
        q = q * signs.unsqueeze(0);
        if (wide) q = q.t();
        weight.copy_((q * gain).reshape(weight.shape).to(weight.dtype));
        return weight;
    }

    /// <summary>
    /// Fills <paramref name="weight"/> from N(mean, std²) truncated to [<paramref name="a"/>, <paramref name="b"/>] by
    /// inverse-CDF sampling (every value lies inside the bounds; none are clipped to them).
    /// </summary>
    /// <param name="weight">The tensor to fill (any shape).</param>
    /// <param name="mean">Mean of the untruncated normal.</param>
    /// <param name="std">Standard deviation of the untruncated normal (the result's std is smaller).</param>
    /// <param name="a">Lower bound, in the same units as the values.</param>
    /// <param name="b">Upper bound, greater than <paramref name="a"/>.</param>
    /// <param name="generator">Optional generator for reproducible draws.</param>
    /// <returns><paramref name="weight"/>.</returns>
    public static Tensor TruncNormal_(Tensor weight, double mean = 0, double std = 1, double a = -2, double b = 2,
        Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (!(std > 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be positive.");
        if (!(b > a)) throw new ArgumentException($"The upper bound b ({b}) must be greater than the lower bound a ({a}).", nameof(b));
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        // Φ at the standardised bounds, computed in double precision: Φ(z) = (1 + erf(z/√2)) / 2.
        var cdf = tensor(new[] { (a - mean) / std, (b - mean) / std }, dtype: ScalarType.Float64)
            .div(Math.Sqrt(2.0)).erf().add(1).div(2);
        double lo = cdf[0].item<double>(), hi = cdf[1].item<double>();
        // Uniform on (2Φ(a)−1, 2Φ(b)−1), then erfinv maps it back through the normal's inverse CDF.
        var u = empty(weight.shape, ScalarType.Float64, weight.device).uniform_(2 * lo - 1, 2 * hi - 1, generator);
        var x = u.erfinv_().mul_(std * Math.Sqrt(2.0)).add_(mean).clamp_(a, b);
        weight.copy_(x.to(weight.dtype));
        return weight;
    }
}
