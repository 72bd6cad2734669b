using TorchSharp;

namespace Trainwright.Optim;

/// <summary>
/// A native <see cref="Scalar"/> that is made again only when its value changes. Passing a double where TorchSharp
/// wants a Scalar allocates a native object each time (freed later by the finalizer); an optimizer's step passes the
/// same few constants for every parameter, so it keeps one of these per constant.
/// </summary>
internal sealed class ReusableScalar : IDisposable
{
    private Scalar? scalar;
    private double value;

    /// <summary>A Scalar holding <paramref name="v"/>, reused while the value stays the same.</summary>
    public Scalar Of(double v)
    {
        // Compare bits so that a change between -0.0 and 0.0 (or NaN payloads) is not missed.
        if (scalar is null || BitConverter.DoubleToInt64Bits(v) != BitConverter.DoubleToInt64Bits(value))
        {
            scalar?.Dispose();
            scalar = v.ToScalar();
            value = v;
        }
        return scalar;
    }

    public void Dispose()
    {
        scalar?.Dispose();
        scalar = null;
    }
}
