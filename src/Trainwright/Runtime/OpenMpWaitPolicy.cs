using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Trainwright.Runtime;

/// <summary>
/// Makes libtorch's OpenMP worker threads sleep, not spin, while they wait for work. By default GNU OpenMP (which
/// libtorch on Linux brings) spins for a while after each parallel region; when another process wants the same cores
/// the spinning threads steal its time and everything slows down many times over, which is why a small machine under
/// load used to train faster with one thread. With passive waiting the default thread count can use every core.
/// The policy is read once, when libtorch's OpenMP runtime loads, so it is set when this library loads, before any
/// tensor exists; a value the user already set (<c>OMP_WAIT_POLICY</c> in the environment) is left alone.
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

#pragma warning disable CA2255 // A library module initializer is deliberate: the policy must be in place before libtorch loads.
    [ModuleInitializer]
    internal static void OnLoad() => PreferPassive();
#pragma warning restore CA2255

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
