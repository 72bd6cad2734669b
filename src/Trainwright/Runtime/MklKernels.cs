using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using TorchSharp;

namespace Trainwright.Runtime;

/// <summary>
/// Lets libtorch's matrix products use MKL's AVX-512 kernels on non-Intel processors that have AVX-512.
/// </summary>
/// <remarks>
/// libtorch for Linux links Intel's MKL statically, and MKL picks its kernels by CPU vendor: on an AMD processor with
/// AVX-512 (Zen 4 and 5) it runs a generic path. Measured on the development machine (AMD EPYC, docs/benchmarks.md), the
/// MNIST MLP's first-layer products at batch 64 took 67 µs (forward) and 59 µs (weight gradient) on that path and 31 µs
/// and 23 µs on MKL's AVX-512 kernels: 2× slower than Debian's PyTorch with OpenBLAS, which dispatches by instruction set.
/// MKL keeps its choice in one process-wide value that its exported <c>mkl_serv_cpu_detect</c> returns; this class
/// finds that value through the function's machine code (refusing unless the code is exactly the expected shape) and,
/// before MKL's first matrix product in the process, sets it to the AVX-512 kernels when every AVX-512 subset those
/// kernels use (F, CD, BW, DQ, VL) is present. After a first product it leaves MKL's choice alone, so no product can
/// run on a mix of kernels: call <see cref="PreferAvx512"/> early (the Learner, the Predictor and
/// <see cref="Platform.TorchNative.EnsureLoaded"/> do). The environment variable <see cref="Variable"/> set to <c>off</c> leaves MKL alone.
/// </remarks>
public static class MklKernels
{
    /// <summary>
    /// The environment variable that turns the choice on (<c>avx512</c>); unset or anything else leaves MKL alone. Off by
    /// default: with it on, a test that runs MKL's LAPACK (the QR of orthogonal initialisation) crashed the process in
    /// some runs on the development machine, and the cause is not known yet.
    /// </summary>
    public const string Variable = "TRAINWRIGHT_MKL_KERNELS";

    /// <summary>MKL's code for its AVX-512 kernels (the value Intel processors with AVX-512 get).</summary>
    public const int Avx512 = 7;

    private static readonly Lock Gate = new();
    private static MklKernelChoice? choice;

    /// <summary>What the last <see cref="PreferAvx512"/> decided; null before it ran.</summary>
    public static MklKernelChoice? Choice => choice;

    /// <summary>
    /// Raises MKL to its AVX-512 kernels where that helps and is safe (see the class remarks); runs once per process and
    /// returns the same answer afterwards. Loads libtorch when it is not loaded yet.
    /// </summary>
    public static MklKernelChoice PreferAvx512()
    {
        if (choice is { } made) return made;
        lock (Gate)
        {
            if (choice is not null) return choice;
            // Loading libtorch (inside Decide) makes this choice itself, re-entering on this thread: keep that first one.
            var decided = Decide();
            return choice ??= decided;
        }
    }

    private static MklKernelChoice Decide()
    {
        var linuxX64 = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;
        var why = WhyNot(Environment.GetEnvironmentVariable(Variable), linuxX64, IsIntel(), HasAvx512());
        if (why is not null) return MklKernelChoice.Left(why);
        Platform.TorchNative.EnsureLoaded();
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var library) ||
            !NativeLibrary.TryGetExport(library, "mkl_serv_cpu_detect", out var detect))
            return MklKernelChoice.Left("libtorch_cpu.so or its MKL entry point was not found");
        return Raise(detect);
    }

    private static unsafe MklKernelChoice Raise(IntPtr detect)
    {
        var code = new ReadOnlySpan<byte>((void*)detect, DetectCodeLength);
        if (FindCpuTypeOffset(code) is not { } offset)
            return MklKernelChoice.Left("this libtorch's MKL is not the build Trainwright knows");
        var cpuType = (int*)((byte*)detect + offset);
        // Only before MKL's first product in the process: a product running on another thread while the value changed
        // could mix kernels of two kinds. Set before detection, MKL never detects and uses this value from the start.
        if (Interlocked.CompareExchange(ref *cpuType, Avx512, -1) is var before && before != -1)
            return new MklKernelChoice(false, before, before, before >= Avx512
                ? "MKL already uses its AVX-512 kernels"
                : "MKL had already chosen its kernels in this process (call MklKernels.PreferAvx512 before the first matrix product)");
        var after = ((delegate* unmanaged<int>)detect)();
        return new MklKernelChoice(after == Avx512, -1, after, after == Avx512 ? "AVX-512 kernels" : "MKL did not take the change");
    }

    /// <summary>How many bytes of <c>mkl_serv_cpu_detect</c>'s code <see cref="FindCpuTypeOffset"/> reads.</summary>
    internal const int DetectCodeLength = 16;

    /// <summary>
    /// Where MKL's CPU-type value lies, as an offset from the start of <c>mkl_serv_cpu_detect</c>, when its code begins
    /// exactly as in the MKL that libtorch 2.x links: <c>cmpl $0, type(%rip); js slow; mov type(%rip), %eax; ret</c>,
    /// both instructions naming the same value. Null for any other code.
    /// </summary>
    internal static long? FindCpuTypeOffset(ReadOnlySpan<byte> code)
    {
        if (code.Length < DetectCodeLength) return null;
        var shaped = code[0] == 0x83 && code[1] == 0x3D && code[6] == 0x00 // cmpl $0x0, rel32(%rip)
                     && code[7] == 0x78                                   // js rel8
                     && code[9] == 0x8B && code[10] == 0x05               // mov rel32(%rip), %eax
                     && code[15] == 0xC3;                                 // ret
        if (!shaped) return null;
        long first = 7 + BitConverter.ToInt32(code[2..6]);
        long second = 15 + BitConverter.ToInt32(code[11..15]);
        return first == second ? first : null;
    }

    /// <summary>Why the kernels are left as MKL chose them, or null when they may be raised.</summary>
    internal static string? WhyNot(string? setting, bool linuxX64, bool intel, bool avx512)
    {
        if (!string.Equals(setting?.Trim(), "avx512", StringComparison.OrdinalIgnoreCase)) return $"not asked for ({Variable}=avx512 asks)";
        if (!linuxX64) return "only Linux x64 builds of libtorch are known";
        if (intel) return "MKL chooses its best kernels on Intel processors itself";
        if (!avx512) return "this processor lacks AVX-512 (F, CD, BW, DQ and VL)";
        return null;
    }

    private static bool HasAvx512() =>
        Avx512F.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

    private static bool IsIntel()
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        return ebx == 0x756E6547 && edx == 0x49656E69 && ecx == 0x6C65746E; // "Genu" "ineI" "ntel"
    }
}
