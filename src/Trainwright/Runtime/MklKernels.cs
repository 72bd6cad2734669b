using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using TorchSharp;

namespace Trainwright.Runtime;

/// <summary>
/// Lets libtorch's matrix products use MKL's AVX-512 kernels on non-Intel processors that have AVX-512.
/// </summary>
/// <remarks>
/// libtorch for Linux links Intel's MKL statically, and MKL picks its kernels by CPU vendor: on an AMD processor with
/// AVX-512 (Zen 4 and 5) it runs its generic code (type 0). Measured on the development machine (AMD EPYC,
/// docs/benchmarks.md), the MNIST MLP's first-layer products at batch 64 took 67 µs (forward) and 59 µs (weight
/// gradient) on that path and 31 µs and 23 µs on MKL's AVX-512 kernels: 2× slower than Debian's PyTorch with OpenBLAS,
/// which dispatches by instruction set.
/// <para>
/// MKL keeps its choice in two process-wide values, one for BLAS and LAPACK (<c>mkl_cpu_type</c>, which its exported
/// <c>mkl_serv_cpu_detect</c> returns) and one for vector math (<c>mkl_vml_cpu_type</c>, <c>mkl_serv_vml_cpu_detect</c>).
/// Its detection sets both together, and runs again whenever either is unset. This class finds both through those
/// functions' machine code (refusing unless the code is exactly the expected shape) and, under MKL's own detection lock
/// and before MKL's first detection in the process, sets the pair an Intel processor with AVX-512 gets (7 and 9) when
/// every AVX-512 subset those kernels use (F, CD, BW, DQ, VL) is present. Setting only the first (as an earlier version
/// did) is unsafe: the first vector-math call re-ran detection and switched BLAS back to the generic code under running
/// products, which crashed the process now and then. After a first detection it leaves MKL's choice alone: call
/// <see cref="PreferAvx512"/> early (the Learner, the Predictor and <see cref="Platform.TorchNative.EnsureLoaded"/> do).
/// The environment variable <see cref="Variable"/> set to <c>off</c> leaves MKL alone.
/// </para>
/// </remarks>
public static class MklKernels
{
    /// <summary>The environment variable that leaves MKL's own choice alone when set to <c>off</c>.</summary>
    public const string Variable = "TRAINWRIGHT_MKL_KERNELS";

    /// <summary>MKL's code for its AVX-512 BLAS and LAPACK kernels (the value Intel processors with AVX-512 get).</summary>
    public const int Avx512 = 7;

    /// <summary>MKL's code for its AVX-512 vector-math kernels, which its detection pairs with <see cref="Avx512"/>.</summary>
    public const int Avx512VectorMath = 9;

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

    /// <summary>
    /// MKL's current pair of choices (BLAS and LAPACK, vector math); null where libtorch's MKL is not the build this class
    /// knows. Loads libtorch first when it is not loaded, which makes <see cref="PreferAvx512"/>'s choice before any
    /// detection this call could cause.
    /// </summary>
    public static (int Blas, int VectorMath)? Current()
    {
        if (Entries() is not { } entries) return null;
        unsafe
        {
            return (((delegate* unmanaged<int>)entries.Detect)(), ((delegate* unmanaged<int>)entries.VectorMathDetect)());
        }
    }

    private static MklKernelChoice Decide()
    {
        var linuxX64 = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;
        var why = WhyNot(Environment.GetEnvironmentVariable(Variable), linuxX64, IsIntel(), HasAvx512());
        if (why is not null) return MklKernelChoice.Left(why);
        Platform.TorchNative.EnsureLoaded();
        return Entries() is { } entries ? Raise(entries) : MklKernelChoice.Left("this libtorch's MKL is not the build Trainwright knows");
    }

    /// <summary>The MKL entry points and values this class works with, found in libtorch_cpu.so.</summary>
    private sealed record MklEntries(IntPtr Detect, IntPtr VectorMathDetect, IntPtr DetectionLock, IntPtr Lock, IntPtr Unlock,
        long BlasOffset, long VectorMathOffset);

    private static MklEntries? Entries()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        Platform.TorchNative.EnsureLoaded();
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var library)) return null;
        IntPtr Export(string name) => NativeLibrary.TryGetExport(library, name, out var address) ? address : IntPtr.Zero;
        var (detect, vectorMathDetect) = (Export("mkl_serv_cpu_detect"), Export("mkl_serv_vml_cpu_detect"));
        var (detectionLock, lockEntry, unlock) = (Export("MKL_Detect_Cpu_Global_Lock"), Export("mkl_serv_lock"), Export("mkl_serv_unlock"));
        if (detect == IntPtr.Zero || vectorMathDetect == IntPtr.Zero || detectionLock == IntPtr.Zero || lockEntry == IntPtr.Zero ||
            unlock == IntPtr.Zero)
            return null;
        unsafe
        {
            var blas = FindCpuTypeOffset(new ReadOnlySpan<byte>((void*)detect, DetectCodeLength));
            var vectorMath = FindCpuTypeOffset(new ReadOnlySpan<byte>((void*)vectorMathDetect, DetectCodeLength));
            return blas is { } b && vectorMath is { } v ? new MklEntries(detect, vectorMathDetect, detectionLock, lockEntry, unlock, b, v) : null;
        }
    }

    private static unsafe MklKernelChoice Raise(MklEntries entries)
    {
        var blas = (int*)((byte*)entries.Detect + entries.BlasOffset);
        var vectorMath = (int*)((byte*)entries.VectorMathDetect + entries.VectorMathOffset);
        int before;
        // MKL's detection writes both values under this lock; holding it, no detection can interleave with these writes.
        ((delegate* unmanaged<IntPtr, void>)entries.Lock)(entries.DetectionLock);
        try
        {
            before = Volatile.Read(ref *blas);
            if (before == -1 && Volatile.Read(ref *vectorMath) == -1)
            {
                Volatile.Write(ref *vectorMath, Avx512VectorMath);
                Volatile.Write(ref *blas, Avx512);
            }
        }
        finally
        {
            ((delegate* unmanaged<IntPtr, void>)entries.Unlock)(entries.DetectionLock);
        }
        if (before != -1)
            return new MklKernelChoice(false, before, before, before >= Avx512
                ? "MKL already uses its AVX-512 kernels"
                : "MKL had already chosen its kernels in this process (call MklKernels.PreferAvx512 before the first matrix product)");
        var after = ((delegate* unmanaged<int>)entries.Detect)();
        var afterVectorMath = ((delegate* unmanaged<int>)entries.VectorMathDetect)();
        var raised = after == Avx512 && afterVectorMath == Avx512VectorMath;
        return new MklKernelChoice(raised, -1, after, raised ? "AVX-512 kernels" : "MKL did not take the change");
    }

    /// <summary>How many bytes of <c>mkl_serv_cpu_detect</c>'s code <see cref="FindCpuTypeOffset"/> reads.</summary>
    internal const int DetectCodeLength = 16;

    /// <summary>
    /// Where MKL's CPU-type value lies, as an offset from the start of <c>mkl_serv_cpu_detect</c> (or of
    /// <c>mkl_serv_vml_cpu_detect</c>, which has the same shape), when its code begins
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
        if (string.Equals(setting?.Trim(), "off", StringComparison.OrdinalIgnoreCase)) return $"{Variable}=off";
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
