namespace Trainwright.Runtime;

/// <summary>What <see cref="MklKernels.PreferAvx512"/> did.</summary>
/// <param name="Raised">True when MKL now uses its AVX-512 kernels because of this call.</param>
/// <param name="Before">MKL's CPU-type code before (−1 when not read).</param>
/// <param name="After">MKL's CPU-type code after (−1 when not read).</param>
/// <param name="Reason">Why: the kernels in use, or why they were left alone.</param>
public sealed record MklKernelChoice(bool Raised, int Before, int After, string Reason)
{
    internal static MklKernelChoice Left(string reason) => new(false, -1, -1, reason);
}
