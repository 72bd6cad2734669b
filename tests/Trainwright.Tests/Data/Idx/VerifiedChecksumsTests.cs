using Trainwright.Data;
using Trainwright.Tests.Support;

namespace Trainwright.Tests.Data;

public class VerifiedChecksumsTests
{
    /// <summary>A folder with one listed file whose modification time is an hour old (settled), and a record beside it.</summary>
    private static (TempFolder Dir, string File, string Record) Setup(string content = "hello")
    {
        var dir = new TempFolder();
        var file = dir.File("a.bin");
        File.WriteAllText(file, content);
        Sha256Sums.Write(dir.Path, ["a.bin"]);
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
        return (dir, file, dir.File("cache", "trainwright", VerifiedChecksums.FileName));
    }

    private static IReadOnlyList<string> Verify(string folder, string record) =>
        Sha256Sums.Verify(folder, Sha256Sums.DefaultFileName, VerifiedChecksums.Open(record));

    [Fact]
    public void A_verified_file_is_remembered_by_path_size_and_time_and_not_hashed_again()
    {
        var (dir, file, record) = Setup();
        using var _ = dir;
        Assert.Single(Verify(dir.Path, record));
        var line = Assert.Single(File.ReadAllLines(record));
        var info = new FileInfo(file);
        Assert.Equal($"{Sha256Sums.Compute(file)}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}\t{info.FullName}", line);

        // Proof that the second check trusts the record instead of hashing: content of the same size put back under the
        // recorded time passes (which is why the record keys on the time: any ordinary write changes it).
        var time = info.LastWriteTimeUtc;
        File.WriteAllText(file, "HELLO");
        File.SetLastWriteTimeUtc(file, time);
        Assert.Single(Verify(dir.Path, record));
        // Without the record the same file is hashed and refused.
        Assert.Throws<ChecksumMismatchException>(() => Sha256Sums.Verify(dir.Path));
    }

    [Fact]
    public void A_file_changed_after_its_verification_is_hashed_again_and_refused_with_the_usual_error()
    {
        var (dir, file, record) = Setup();
        using var _ = dir;
        Verify(dir.Path, record);
        Assert.Single(File.ReadAllLines(record));

        File.WriteAllText(file, "hellO"); // same size; the write gives it a new modification time
        var e = Assert.Throws<ChecksumMismatchException>(() => Verify(dir.Path, record));
        Assert.Equal(file, e.Path);
        Assert.Contains("Checksum mismatch", e.Message, StringComparison.Ordinal);
        Assert.Contains("restore it from the original source", e.Message, StringComparison.Ordinal);

        // Grown or shrunk under the old time: the size alone sends it back to hashing.
        var old = DateTime.UtcNow.AddHours(-1);
        File.WriteAllText(file, "hello!");
        File.SetLastWriteTimeUtc(file, old);
        Assert.Throws<ChecksumMismatchException>(() => Verify(dir.Path, record));
    }

    [Fact]
    public void A_record_for_another_digest_is_not_trusted()
    {
        var (dir, file, record) = Setup();
        using var _ = dir;
        Verify(dir.Path, record);
        // The list now expects other content; the file's stamp is unchanged but was verified against the old digest.
        File.WriteAllText(dir.File(Sha256Sums.DefaultFileName), new string('0', 64) + "  a.bin\n");
        var e = Assert.Throws<ChecksumMismatchException>(() => Verify(dir.Path, record));
        Assert.Equal(new string('0', 64), e.Expected);
        Assert.Equal(Sha256Sums.Compute(file), e.Actual);
    }

    [Fact]
    public void A_file_modified_moments_ago_is_verified_but_not_remembered()
    {
        var (dir, file, record) = Setup();
        using var _ = dir;
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow);
        Assert.Single(Verify(dir.Path, record));
        Assert.False(File.Exists(record));
    }

    [Fact]
    public void An_unwritable_or_damaged_record_only_means_hashing_every_time()
    {
        var (dir, file, _) = Setup();
        using var __ = dir;
        // The record's folder would have to be a regular file: saving fails quietly, verification still works.
        var blocker = dir.File("blocker");
        File.WriteAllText(blocker, "");
        var unwritable = Path.Combine(blocker, "trainwright", VerifiedChecksums.FileName);
        Assert.Single(Verify(dir.Path, unwritable));
        Assert.Single(Verify(dir.Path, unwritable));

        // Garbage lines are skipped, and a damaged file is still refused.
        var damaged = dir.File("damaged.tsv");
        File.WriteAllText(damaged, "not a record\nzz\t1\t2\t/x\n\t\t\t\n");
        Assert.Single(Verify(dir.Path, damaged));
        var line = Assert.Single(File.ReadAllLines(damaged));
        Assert.EndsWith("\t" + file, line, StringComparison.Ordinal);
        File.WriteAllText(file, "jello");
        Assert.Throws<ChecksumMismatchException>(() => Verify(dir.Path, damaged));
    }

    [Fact]
    public void MnistData_remembers_in_the_given_record_and_still_refuses_a_damaged_file()
    {
        using var dir = new TempFolder();
        var random = new Random(5);
        var pixels = new byte[24 * 16];
        random.NextBytes(pixels);
        IdxWriter.Write(dir.File(MnistData.TrainImagesName), pixels, 24, 4, 4);
        IdxWriter.Write(dir.File(MnistData.TrainLabelsName), Enumerable.Range(0, 24).Select(i => (byte)(i % 3)).ToArray(), 24);
        IdxWriter.Write(dir.File(MnistData.TestImagesName), pixels[..(6 * 16)], 6, 4, 4);
        IdxWriter.Write(dir.File(MnistData.TestLabelsName), Enumerable.Range(0, 6).Select(i => (byte)(i % 3)).ToArray(), 6);
        string[] names = [MnistData.TrainImagesName, MnistData.TrainLabelsName, MnistData.TestImagesName, MnistData.TestLabelsName];
        Sha256Sums.Write(dir.Path, names);
        foreach (var name in names) File.SetLastWriteTimeUtc(dir.File(name), DateTime.UtcNow.AddHours(-1));
        var record = dir.File("record.tsv");
        var options = new MnistOptions { VerifiedFilesRecord = record };

        using (MnistData.Load(dir.Path, options)) { }
        Assert.Equal(4, File.ReadAllLines(record).Length);
        using (MnistData.Load(dir.Path, options)) { }

        // One flipped pixel in the training images, written the ordinary way.
        var bytes = File.ReadAllBytes(dir.File(MnistData.TrainImagesName));
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(dir.File(MnistData.TrainImagesName), bytes);
        var e = Assert.Throws<ChecksumMismatchException>(() => MnistData.Load(dir.Path, options));
        Assert.Equal(dir.File(MnistData.TrainImagesName), e.Path);

        // Switched off, nothing is written.
        var unused = dir.File("unused.tsv");
        Assert.Throws<ChecksumMismatchException>(() => MnistData.Load(dir.Path, options with { VerifiedFilesRecord = unused, RememberVerifiedFiles = false }));
        Assert.False(File.Exists(unused));
    }
}
