using System.Runtime.CompilerServices;

namespace Trainwright.Tests.Support;

/// <summary>
/// Points the user cache (<c>XDG_CACHE_HOME</c>: the image decode cache, the record of verified checksums) of this test
/// process, and of the processes it starts, at a temporary folder, so tests never write into the real user's ~/.cache.
/// </summary>
internal static class TestCacheFolder
{
    public static string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"trainwright-test-cache-{Environment.ProcessId}");

    // CA2255 warns libraries off module initializers; this one only isolates the test process from the user's files.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Redirect()
    {
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
    }
}
