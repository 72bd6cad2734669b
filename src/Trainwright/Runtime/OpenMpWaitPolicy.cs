using System.Runtime.InteropServices;

namespace Trainwright.Runtime;

/// <summary>
/// How libtorch's OpenMP worker threads wait for work (opt-in). By default GNU OpenMP (which libtorch on Linux brings)
/// spins for a long while after each parallel region, which is fast on an idle machine but steals the core from any
/// other busy process, and then the whole pool waits for its slowest thread. The policy is read once, when libtorch's
/// OpenMP runtime loads, so call these before the first tensor is made. Measured on the 2-core development machine
/// (<c>bench -- threads</c>, docs/benchmarks.md), two threads against one on a FastCnn epoch: default spinning 0.58× the
/// time idle but 1.99× with one competing busy process; <see cref="LimitSpinning"/> (1,000 spins) 0.67× and 1.16×;
/// <see cref="PreferPassive"/> 0.78× and 1.23×. The command limits spinning for every multi-threaded use except
/// training without --threads, whose <see cref="Callbacks.ThreadTuner"/> drops to one thread under load and so can keep
/// the default spinning, fastest idle.
/// </summary>
public static partial class OpenMpWaitPolicy
{
    /// <summary>The environment variable OpenMP runtimes read (GNU libgomp and LLVM libomp alike).</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>The value set when the user has not chosen one.</summary>
    public const string Passive = "PASSIVE";

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> in the process environment (with the C library's <c>setenv</c>, which native
    /// code reads; .NET's own <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it on
    /// Unix) unless it is already set. Has an effect only before libtorch is first used in the process.
    /// </summary>
    /// <returns>True when this call set it; false when the user had set it or the platform is not Unix.</returns>
    public static bool PreferPassive()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not null) return false;
        return Set(Variable, Passive);
    }

    /// <summary>GNU OpenMP's spin count variable: how long a waiting thread spins before it sleeps.</summary>
    public const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>The spin count <see cref="LimitSpinning"/> sets unless given another: the best measured under load.</summary>
    public const int ShortSpinCount = 1000;

    /// <summary>
    /// Sets <c>GOMP_SPINCOUNT</c> to <paramref name="spinCount"/> in the process environment (with the C library's
    /// <c>setenv</c>), so waiting threads spin briefly and then sleep, unless the user has set it or <c>OMP_WAIT_POLICY</c>.
    /// Has an effect only before libtorch is first used in the process.
    /// </summary>
    /// <returns>True when this call set it; false when the user had chosen a policy or the platform is not Unix.</returns>
    public static bool LimitSpinning(int spinCount = ShortSpinCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spinCount);
        if (Environment.GetEnvironmentVariable(Variable) is not null || Environment.GetEnvironmentVariable(SpinCountVariable) is not null) return false;
        return Set(SpinCountVariable, spinCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool Set(string variable, string value)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return false;
        if (SetEnv(variable, value, overwrite: 0) != 0) return false;
        Environment.SetEnvironmentVariable(variable, value);
        return true;
    }

    /// <summary>The spin count as native code sees it (see <see cref="NativeValue"/>).</summary>
    public static string? NativeSpinCount =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? Marshal.PtrToStringUTF8(GetEnv(SpinCountVariable)) : null;

    /// <summary>The policy as native code (the OpenMP runtime) sees it, read with the C library's <c>getenv</c>; null when unset or not on Unix.</summary>
    public static string? NativeValue =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? Marshal.PtrToStringUTF8(GetEnv(Variable)) : null;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
