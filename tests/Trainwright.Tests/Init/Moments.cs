using TorchSharp;
using static TorchSharp.torch;

namespace Trainwright.Tests.Init;

/// <summary>Sample moments computed in double precision, independent of the code under test.</summary>
internal static class Moments
{
    public static double Mean(Tensor t) { using var d = t.detach().to(ScalarType.Float64); return d.mean().ToDouble(); }

    public static double Std(Tensor t) { using var d = t.detach().to(ScalarType.Float64); return d.std().ToDouble(); }

    /// <summary>Fourth standardised moment: 3 for a normal, 1.8 for a uniform.</summary>
    public static double Kurtosis(Tensor t)
    {
        using var scope = NewDisposeScope();
        var d = t.detach().to(ScalarType.Float64);
        var z = (d - d.mean()) / d.std(unbiased: false);
        return z.pow(4).mean().ToDouble();
    }

    /// <summary>Fraction of values farther than k standard deviations from the mean.</summary>
    public static double FractionBeyond(Tensor t, double k)
    {
        using var scope = NewDisposeScope();
        var d = t.detach().to(ScalarType.Float64);
        var z = ((d - d.mean()) / d.std()).abs();
        return z.gt(k).to(ScalarType.Float64).mean().ToDouble();
    }

    /// <summary>Standard normal density.</summary>
    public static double Phi(double x) => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);

    /// <summary>∫ f over [a, b] by composite Simpson's rule with n (even) panels.</summary>
    public static double Integrate(Func<double, double> f, double a, double b, int n = 20_000)
    {
        double h = (b - a) / n, sum = f(a) + f(b);
        for (int i = 1; i < n; i++) sum += f(a + i * h) * (i % 2 == 1 ? 4 : 2);
        return sum * h / 3;
    }
}
