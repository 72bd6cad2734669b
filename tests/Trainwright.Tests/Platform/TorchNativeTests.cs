using Trainwright.Build;
using Trainwright.Platform;

namespace Trainwright.Tests.Platform;

public class TorchNativeTests
{
    [Fact]
    public void LoadsOnThisHostOnceTheBuildPatchedTheShim()
    {
        TorchNative.EnsureLoaded();
        TorchNative.EnsureLoaded(); // idempotent
    }

    [Fact]
    public void AfterTheLoadBeginLoadingDoesNothingAndSetThreadsAppliesAtOnce()
    {
        TorchNative.EnsureLoaded();
        TorchNative.BeginLoading(); // loaded: no thread, nothing to wait for
        Assert.True(TorchNative.IsLoaded);
        int before = TorchSharp.torch.get_num_threads();
        try
        {
            int other = before == 1 ? 2 : 1;
            TorchNative.SetThreads(other);
            Assert.Equal(other, TorchSharp.torch.get_num_threads());
        }
        finally
        {
            TorchSharp.torch.set_num_threads(before);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchNative.SetThreads(0));
    }

    [Fact]
    public void AGlibcxxLoaderMessageBecomesOneLineNamingTheVersionAndTheFix()
    {
        const string loader = "/app/libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /app/libLibTorchSharp.so)";
        var line = TorchNative.ExplainLoaderMessage("/app/libLibTorchSharp.so", loader);
        Assert.DoesNotContain('\n', line);
        Assert.Contains("/app/libLibTorchSharp.so needs GLIBCXX_3.4.32, which ", line, StringComparison.Ordinal);
        Assert.Contains("Trainwright.targets", line, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherLoaderMessagesArePassedOnWithTheFile()
    {
        var line = TorchNative.ExplainLoaderMessage("/app/libLibTorchSharp.so", "libtorch.so: cannot open shared object file");
        Assert.Equal("TorchSharp's native library cannot load: /app/libLibTorchSharp.so: libtorch.so: cannot open shared object file", line);
    }

    /// <summary>The real case: TorchSharp's unpatched shim, as NuGet ships it, on this host.</summary>
    [Fact]
    public void ExplainsTheUnpatchedShimOnAHostWithoutTheVersion()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var original = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", TorchNative.ShimFileName);
        Assert.True(File.Exists(original), $"TorchSharp's shim is not in the NuGet cache at '{original}'");
        var copy = Path.Combine(Directory.CreateTempSubdirectory("tw-shim-").FullName, TorchNative.ShimFileName);
        File.Copy(original, copy);
        // Beside it, as in a program's output folder, the libtorch it links to (links, not 1 GB of copies).
        var libtorch = Path.Combine(root, "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native");
        Assert.True(Directory.Exists(libtorch), $"libtorch is not in the NuGet cache at '{libtorch}'");
        foreach (var lib in Directory.GetFiles(libtorch, "*.so*"))
            File.CreateSymbolicLink(Path.Combine(Path.GetDirectoryName(copy)!, Path.GetFileName(lib)), lib);
        try
        {
            var line = TorchNative.Explain(copy, new NotSupportedException("TorchSharp's own message"));
            if (ElfVersionNeeds.HostLibStdCxxDefines(ElfVersionNeeds.GlibcxxVersion, out _))
                Assert.DoesNotContain("needs GLIBCXX", line, StringComparison.Ordinal); // loads here: TorchSharp's words stand
            else
                Assert.True(line.Contains($"{copy} needs {ElfVersionNeeds.GlibcxxVersion}, which ", StringComparison.Ordinal), line);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }
}
