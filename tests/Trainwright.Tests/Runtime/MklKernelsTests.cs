using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Trainwright.Runtime;
using static TorchSharp.torch;

namespace Trainwright.Tests.Runtime;

public sealed class MklKernelsTests
{
    // The first 16 bytes of mkl_serv_cpu_detect in libtorch 2.10's libtorch_cpu.so (objdump), which sits at 0xbdc2ee0;
    // its symbol table puts mkl_cpu_type at 0x1574bd74.
    private static readonly byte[] LibTorch210Code =
        [0x83, 0x3D, 0x8D, 0x8E, 0x98, 0x09, 0x00, 0x78, 0x07, 0x8B, 0x05, 0x85, 0x8E, 0x98, 0x09, 0xC3];

    [Fact]
    public void FindsTheCpuTypeWhereTheSymbolTableSaysItIs()
    {
        Assert.Equal(0x1574BD74L - 0xBDC2EE0L, MklKernels.FindCpuTypeOffset(LibTorch210Code));
    }

    [Theory]
    [InlineData(0, 0x90)]  // not the compare
    [InlineData(7, 0x79)]  // jns instead of js
    [InlineData(11, 0x86)] // the two instructions name different values
    [InlineData(15, 0xC2)] // not a plain return
    public void RefusesCodeOfAnyOtherShape(int at, byte value)
    {
        var code = (byte[])LibTorch210Code.Clone();
        code[at] = value;
        Assert.Null(MklKernels.FindCpuTypeOffset(code));
        Assert.Null(MklKernels.FindCpuTypeOffset(LibTorch210Code.AsSpan(0, 15)));
    }

    [Fact]
    public void LeavesMklAloneWhenTurnedOffOnIntelOrWithoutAvx512()
    {
        Assert.Null(MklKernels.WhyNot(null, linuxX64: true, intel: false, avx512: true));
        Assert.Null(MklKernels.WhyNot("avx512", linuxX64: true, intel: false, avx512: true));
        Assert.Contains("=off", MklKernels.WhyNot("off", linuxX64: true, intel: false, avx512: true));
        Assert.Contains("=off", MklKernels.WhyNot(" OFF ", linuxX64: true, intel: false, avx512: true));
        Assert.Contains("Linux x64", MklKernels.WhyNot("avx512", linuxX64: false, intel: false, avx512: true));
        Assert.Contains("Intel", MklKernels.WhyNot("avx512", linuxX64: true, intel: true, avx512: true));
        Assert.Contains("AVX-512", MklKernels.WhyNot("avx512", linuxX64: true, intel: false, avx512: false));
    }

    [Fact]
    public void ProductsOnTheChosenKernelsMatchAHandComputedProduct()
    {
        var choice = MklKernels.PreferAvx512();
        Assert.Same(choice, MklKernels.PreferAvx512());
        if (Eligible()) Assert.True(choice.Raised && choice.After == MklKernels.Avx512, choice.ToString());

        // The MLP's two products at batch 64: x·Wᵀ forward and the weight gradient gᵀ·x.
        using var scope = NewDisposeScope();
        manual_seed(5);
        var x = randn(64, 784);
        var w = randn(50, 784);
        var g = randn(64, 50);
        AssertMatches(x.matmul(w.t()), x, w.t());
        AssertMatches(g.t().matmul(x), g.t(), x);
    }

    [Fact]
    public void TheChoiceSurvivesVectorMathAndLapack()
    {
        // MKL re-runs its detection when its vector-math value is unset: raising only the BLAS value let the first exp
        // switch BLAS back to the generic kernels under running products (the crashes of an earlier version).
        var choice = MklKernels.PreferAvx512();
        using (NewDisposeScope())
        {
            manual_seed(6);
            var x = randn(100_000);
            // exp runs MKL's vector math; its result checked against the closed form in double.
            var e = x.exp();
            Assert.True(e.to_type(ScalarType.Float64).allclose(x.to_type(ScalarType.Float64).exp(), rtol: 1e-6, atol: 0));
            // QR runs MKL's LAPACK: Q·R must give back A, and Q's columns must be orthonormal (float32: 1e-4).
            var a = randn(64, 200);
            var (q, r) = linalg.qr(a);
            Assert.True(q.matmul(r).allclose(a, rtol: 1e-4, atol: 1e-4));
            Assert.True(q.t().matmul(q).allclose(eye(64), rtol: 0, atol: 1e-4));
            var weight = empty(32, 16, 3, 3);
            nn.init.orthogonal_(weight);
        }
        var current = MklKernels.Current();
        if (Eligible())
            Assert.Equal((MklKernels.Avx512, MklKernels.Avx512VectorMath), current);
        else if (current is { } pair)
            Assert.Equal(choice.Raised ? (MklKernels.Avx512, MklKernels.Avx512VectorMath) : pair, pair);
    }

    private static bool Eligible() =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64 &&
        Environment.GetEnvironmentVariable(MklKernels.Variable)?.Trim().ToUpperInvariant() != "OFF" && Avx512F.IsSupported &&
        Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported && !IsIntel();

    private static void AssertMatches(Tensor product, Tensor a, Tensor b)
    {
        var left = a.contiguous().data<float>().ToArray();
        var right = b.contiguous().data<float>().ToArray();
        var actual = product.contiguous().data<float>().ToArray();
        int n = (int)a.size(0), k = (int)a.size(1), m = (int)b.size(1);
        for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
        {
            double sum = 0, magnitude = 0;
            for (int t = 0; t < k; t++)
            {
                var term = (double)left[i * k + t] * right[t * m + j];
                sum += term;
                magnitude += Math.Abs(term);
            }
            // float32 accumulation over k terms: error bounded by k·ε·Σ|terms|; 1e-5 relative to Σ|terms| is ~80 ulps.
            Assert.True(Math.Abs(actual[i * m + j] - sum) <= 1e-5 * magnitude + 1e-6,
                $"[{i},{j}]: {actual[i * m + j]} vs {sum}");
        }
    }

    private static bool IsIntel()
    {
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        return ebx == 0x756E6547 && edx == 0x49656E69 && ecx == 0x6C65746E;
    }
}
