using System.Runtime.InteropServices;

namespace Trainwright.Runtime;

/// <summary>
/// Lets libtorch's OpenMP worker threads sleep, not spin, while they wait for work (opt-in). By default GNU OpenMP (which
/// libtorch on Linux brings) spins for a while after each parallel region, which is fast on an idle machine but steals
/// time from other processes on a busy one. The policy is read once, when libtorch's OpenMP runtime loads, so call
/// <see cref="PreferPassive"/> before the first tensor is made. Whether it pays depends on the model and the load
/// (<c>bench -- threads</c> measures it; docs/benchmarks.md): on the 2-core development machine, with it, two threads ran
/// a CNN epoch in 0.75× the time of one when idle and 1.19× with a competing process, but an MLP epoch in 3.8× and
/// 1.52×; so the library leaves the policy alone and the command keeps <c>--threads 1</c> as its default.
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
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return false;
        if (SetEnv(Variable, Passive, overwrite: 0) != 0) return false;
        Environment.SetEnvironmentVariable(Variable, Passive);
        return true;
    }

    /// <summary>The policy as native code (the OpenMP runtime) sees it, read with the C library's <c>getenv</c>; null when unset or not on Unix.</summary>
    public static string? NativeValue =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? Marshal.PtrToStringUTF8(GetEnv(Variable)) : null;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
