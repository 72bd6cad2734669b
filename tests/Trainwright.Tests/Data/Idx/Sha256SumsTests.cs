using Trainwright.Tests.Support;
// Literal arrays make the expected values readable; these tests are not hot paths.
#pragma warning disable CA1861

using System.Security.Cryptography;
using System.Text;
using Trainwright.Data;

namespace Trainwright.Tests.Data;

public class Sha256SumsTests
{
    [Fact]
    public void VerifiesMatchingFilesInBothSha256sumModes()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("a.txt"), "hello");
        File.WriteAllText(dir.File("b.bin"), "world");
        // Independent reference: SHA-256("hello") is a well-known digest.
        const string helloDigest = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        var worldDigest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("world")));
        File.WriteAllText(dir.File("SHA256SUMS"), $"{helloDigest}  a.txt\n{worldDigest.ToUpperInvariant()} *b.bin\n\n");
        var checkedFiles = Sha256Sums.Verify(dir.Path);
        Assert.Equal(2, checkedFiles.Count);
        Assert.Equal(helloDigest, Sha256Sums.Compute(dir.File("a.txt")));
    }

    [Fact]
    public void MismatchNamesFileExpectedAndActual()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("a.txt"), "hello");
        Sha256Sums.Write(dir.Path, ["a.txt"]);
        File.WriteAllText(dir.File("a.txt"), "hellO");
        var e = Assert.Throws<ChecksumMismatchException>(() => Sha256Sums.Verify(dir.Path));
        var expected = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        var actual = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("hellO")));
        Assert.Equal(expected, e.Expected);
        Assert.Equal(actual, e.Actual);
        Assert.Contains(dir.File("a.txt"), e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(actual, e.Message);
    }

    [Fact]
    public void MissingListedFileAndMalformedLineAreReported()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("SHA256SUMS"), new string('a', 64) + "  gone.gz\n");
        Assert.Contains("gone.gz", Assert.Throws<FileNotFoundException>(() => Sha256Sums.Verify(dir.Path)).Message);
        File.WriteAllText(dir.File("SHA256SUMS"), "xyz  gone.gz\n");
        Assert.Contains("line 1", Assert.Throws<InvalidDataException>(() => Sha256Sums.Verify(dir.Path)).Message);
        File.Delete(dir.File("SHA256SUMS"));
        Assert.Contains("SHA256SUMS", Assert.Throws<FileNotFoundException>(() => Sha256Sums.Verify(dir.Path)).Message);
    }

    [Fact]
    public void BundledMnistMatchesItsChecksums()
    {
        var dir = MnistData.FindBundledDirectory();
        Assert.NotNull(dir);
        Assert.Equal(4, Sha256Sums.Verify(dir).Count);
    }
}
