using System.Diagnostics;
using Trainwright.Build;

namespace Trainwright.Tests.Build;

public class LibStdCxxCompatTests
{
    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Build", "Fixtures", "tiny.so");

    private static string CopyToTemp(string source)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tw-elf-").FullName, Path.GetFileName(source));
        File.Copy(source, path);
        return path;
    }

    private static string? OriginalLibTorchSharp()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    /// <summary>readelf, when present, is an independent reader of the same flag.</summary>
    private static string? ReadElfVersions(string path)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("readelf", ["-V", path]) { RedirectStandardOutput = true, RedirectStandardError = true });
            var output = p!.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static void AssertOnlyTwoBytesDiffer(byte[] before, byte[] after, long flagsOffset)
    {
        Assert.Equal(before.Length, after.Length);
        var diffs = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.NotEmpty(diffs);
        Assert.All(diffs, i => Assert.InRange(i, flagsOffset, flagsOffset + 1));
    }

    [Fact]
    public void ReadsTheVersionRequirementsOfAFixture()
    {
        var reqs = ElfVersionNeeds.ReadRequirements(File.ReadAllBytes(Fixture), out var problem);
        Assert.NotNull(reqs);
        Assert.Equal("", problem);
        // As readelf -V lists them for the checked-in fixture.
        Assert.Equal(["GCC_3.0", "CXXABI_1.3", "GLIBCXX_3.4.9", "CXXABI_1.3.9", "GLIBCXX_3.4.21", "GLIBCXX_3.4"], reqs!.Select(r => r.Version));
        Assert.Equal("libstdc++.so.6", reqs.Single(r => r.Version == "GLIBCXX_3.4.21").Library);
        Assert.All(reqs, r => Assert.False(r.IsWeak));
    }

    [Fact]
    public void MarksOneRequirementWeakChangingNothingElseAndIsIdempotent()
    {
        var path = CopyToTemp(Fixture);
        var before = File.ReadAllBytes(path);
        var result = ElfVersionNeeds.MarkWeak(path, "GLIBCXX_3.4.21");
        Assert.Equal(WeakenOutcome.Patched, result.Outcome);

        var after = File.ReadAllBytes(path);
        var reqs = ElfVersionNeeds.ReadRequirements(after, out _)!;
        var target = reqs.Single(r => r.Version == "GLIBCXX_3.4.21");
        Assert.True(target.IsWeak);
        Assert.All(reqs.Where(r => r != target), r => Assert.False(r.IsWeak));
        AssertOnlyTwoBytesDiffer(before, after, target.FlagsOffset);
        if (ReadElfVersions(path) is { } text)
        {
            Assert.Matches(@"Name: GLIBCXX_3\.4\.21\s+Flags: WEAK", text);
            Assert.Matches(@"Name: GLIBCXX_3\.4\.9\s+Flags: none", text);
        }

        var again = ElfVersionNeeds.MarkWeak(path, "GLIBCXX_3.4.21");
        Assert.Equal(WeakenOutcome.AlreadyWeak, again.Outcome);
        Assert.Equal(after, File.ReadAllBytes(path));
    }

    [Fact]
    public void PatchingAHardLinkLeavesTheLinkedOriginalUntouched()
    {
        // The build hard-links package assets into bin; the NuGet cache behind the link must never change.
        var original = CopyToTemp(Fixture);
        var link = Path.Combine(Path.GetDirectoryName(original)!, "linked.so");
        using (var ln = Process.Start("ln", [original, link])) ln!.WaitForExit();
        Assert.True(File.Exists(link), "ln should have made a hard link");
        var before = File.ReadAllBytes(original);
        Assert.Equal(WeakenOutcome.Patched, ElfVersionNeeds.MarkWeak(link, "GLIBCXX_3.4.21").Outcome);
        Assert.Equal(before, File.ReadAllBytes(original));
        Assert.True(ElfVersionNeeds.ReadRequirements(File.ReadAllBytes(link), out _)!.Single(r => r.Version == "GLIBCXX_3.4.21").IsWeak);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(link)!, "*.tmp"));
    }

    [Fact]
    public void LeavesANonElfFileUntouchedAndSaysWhy()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tw-elf-").FullName, "libLibTorchSharp.so");
        File.WriteAllText(path, "not a shared object, just text that is long enough to have a header of sixty-four bytes or more");
        var before = File.ReadAllBytes(path);
        var result = ElfVersionNeeds.MarkWeak(path, ElfVersionNeeds.GlibcxxVersion);
        Assert.Equal(WeakenOutcome.NotElf, result.Outcome);
        Assert.Contains(path, result.Message);
        Assert.Contains("not an ELF file", result.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void LeavesAnElfWithoutThatRequirementUntouched()
    {
        var path = CopyToTemp(Fixture);
        var before = File.ReadAllBytes(path);
        var result = ElfVersionNeeds.MarkWeak(path, ElfVersionNeeds.GlibcxxVersion);
        Assert.Equal(WeakenOutcome.NoSuchVersionNeed, result.Outcome);
        Assert.Contains("does not require GLIBCXX_3.4.32", result.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void PatchesTheRealLibTorchSharpAndNothingElse()
    {
        var original = OriginalLibTorchSharp();
        Assert.True(original is not null, "TorchSharp 0.107.0's native package should be in the NuGet cache after restore.");
        var path = CopyToTemp(original!);
        var before = File.ReadAllBytes(path);
        var result = ElfVersionNeeds.MarkWeak(path, ElfVersionNeeds.GlibcxxVersion);
        Assert.Equal(WeakenOutcome.Patched, result.Outcome);
        var after = File.ReadAllBytes(path);
        var target = ElfVersionNeeds.ReadRequirements(after, out _)!.Single(r => r.Version == ElfVersionNeeds.GlibcxxVersion);
        Assert.True(target.IsWeak);
        AssertOnlyTwoBytesDiffer(before, after, target.FlagsOffset);
        Assert.Equal(WeakenOutcome.AlreadyWeak, ElfVersionNeeds.MarkWeak(path, ElfVersionNeeds.GlibcxxVersion).Outcome);
    }

    [Fact]
    public void TheBuildPatchedThisTestRunsCopyWhenTheHostNeedsIt()
    {
        var copy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(copy), $"expected TorchSharp's native shim at {copy}");
        var weak = ElfVersionNeeds.ReadRequirements(File.ReadAllBytes(copy), out _)!
            .Single(r => r.Version == ElfVersionNeeds.GlibcxxVersion).IsWeak;
        bool hostHasIt = ElfVersionNeeds.HostLibStdCxxDefines(ElfVersionNeeds.GlibcxxVersion, out _);
        Assert.Equal(!hostHasIt, weak);
    }
}
