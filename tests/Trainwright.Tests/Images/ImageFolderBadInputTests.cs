using Trainwright.Tests.Support;
using Trainwright.Data.Images;
using Trainwright.Tests.Data;

namespace Trainwright.Tests.Images;

public class ImageFolderBadInputTests
{
    private static ImageFolderOptions NoCache => new() { UseCache = false, DecodeWorkers = 1 };

    private static void Good(string folder, int count)
    {
        for (int i = 0; i < count; i++)
            ImageFiles.Write(Path.Combine(folder, $"ok{i}.png"), ImageFiles.Filled(10, 10, 1, (byte)(30 * i)), 10, 10, 1);
    }

    private static ImageDataException Fails(string root, ImageFolderOptions? options = null)
    {
        var e = Assert.Throws<ImageDataException>(() => ImageFolderData.Load(root, options ?? NoCache).Dispose());
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    // A folder with two good classes plus, in class a, an empty file, a text file named .png and a truncated PNG.
    private static string WithBadFiles(TempFolder tmp)
    {
        Good(tmp.File("a"), 4);
        Good(tmp.File("b"), 4);
        File.WriteAllBytes(tmp.File("a/zero.png"), []);
        File.WriteAllText(tmp.File("a/text.png"), "not really a png");
        var png = ImageFiles.Encode(Enumerable.Range(0, 40 * 40).Select(i => (byte)(i * 13)).ToArray(), 40, 40, 1);
        File.WriteAllBytes(tmp.File("a/cut.png"), png[..(png.Length * 2 / 3)]);
        return tmp.Path;
    }

    [Fact]
    public void A_bad_file_stops_the_load_naming_it_and_the_way_out()
    {
        using var tmp = new TempFolder();
        var e = Fails(WithBadFiles(tmp));
        Assert.Contains(tmp.File("a/"), e.Message);
        Assert.Contains("skip bad images", e.Message);
        Assert.NotNull(e.Path);
    }

    [Fact]
    public void A_truncated_file_alone_is_caught_by_the_decode_and_named()
    {
        using var tmp = new TempFolder();
        Good(tmp.File("a"), 3);
        Good(tmp.File("b"), 3);
        var png = ImageFiles.Encode(Enumerable.Range(0, 40 * 40).Select(i => (byte)(i * 13)).ToArray(), 40, 40, 1);
        File.WriteAllBytes(tmp.File("b/cut.png"), png[..(png.Length * 2 / 3)]);
        var e = Fails(tmp.Path);
        Assert.Contains("cut.png", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Skipping_bad_images_trains_without_them_and_lists_each_with_its_reason()
    {
        using var tmp = new TempFolder();
        using var data = ImageFolderData.Load(WithBadFiles(tmp), NoCache with { SkipBadImages = true });
        Assert.Equal(8, data.TrainCount + data.ValidCount);
        Assert.Equal(3, data.Skipped.Count);
        var reasons = data.Skipped.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        Assert.Contains("empty", reasons["zero.png"]);
        Assert.Contains("not an image", reasons["text.png"]);
        Assert.Contains("truncated", reasons["cut.png"]);
        Assert.Contains("3 files skipped", data.Describe());
    }

    [Fact]
    public void An_image_over_the_pixel_limit_is_refused_naming_the_file()
    {
        using var tmp = new TempFolder();
        Good(tmp.File("a"), 2);
        Good(tmp.File("b"), 2);
        ImageFiles.Write(tmp.File("b/big.png"), ImageFiles.Filled(30, 30, 1, 1), 30, 30, 1);
        var e = Fails(tmp.Path, NoCache with { MaxPixels = 500 });
        Assert.Contains("big.png", e.Message);
        Assert.Contains("decompression bomb", e.Message);
    }

    [Fact]
    public void Folder_problems_each_get_one_line()
    {
        using var tmp = new TempFolder();
        Assert.Contains("does not exist", Fails(tmp.File("missing")).Message);

        Directory.CreateDirectory(tmp.File("nothing"));
        Assert.Contains("no class folders and no images", Fails(tmp.File("nothing")).Message);

        Good(tmp.File("loose"), 2);
        Assert.Contains("no class folders", Fails(tmp.File("loose")).Message);

        Good(tmp.File("single/only"), 3);
        Assert.Contains("only one class folder ('only')", Fails(tmp.File("single")).Message);

        Good(tmp.File("empty/a"), 3);
        Directory.CreateDirectory(tmp.File("empty/b"));
        File.WriteAllText(tmp.File("empty/b/readme.txt"), "no images here");
        var e = Fails(tmp.File("empty"));
        Assert.Contains(tmp.File("empty/b"), e.Message);
        Assert.Contains("has no images", e.Message);

        Directory.CreateDirectory(tmp.File("textonly/a"));
        Directory.CreateDirectory(tmp.File("textonly/b"));
        File.WriteAllText(tmp.File("textonly/a/x.txt"), "x");
        Assert.Contains("No images found", Fails(tmp.File("textonly")).Message);

        Good(tmp.File("stray/a"), 2);
        Good(tmp.File("stray/b"), 2);
        Good(tmp.File("stray"), 1);
        Assert.Contains("outside the class folders", Fails(tmp.File("stray")).Message);
    }

    [Fact]
    public void A_symlink_loop_is_named()
    {
        using var tmp = new TempFolder();
        Good(tmp.File("a"), 2);
        Good(tmp.File("b"), 2);
        Directory.CreateSymbolicLink(tmp.File("b/back"), tmp.File("b"));
        var e = Fails(tmp.Path);
        Assert.Contains("loop", e.Message);
        Assert.Contains(tmp.File("b/back"), e.Message);
    }

    [Fact]
    public void A_valid_class_missing_from_train_and_a_labels_file_naming_a_missing_image_are_refused()
    {
        using var tmp = new TempFolder();
        Good(tmp.File("s/train/a"), 2);
        Good(tmp.File("s/train/b"), 2);
        Good(tmp.File("s/valid/zebra"), 1);
        Assert.Contains("'zebra'", Fails(tmp.File("s")).Message.Replace(tmp.File("s/valid/"), "'").Replace("' is", "'"));

        Good(tmp.File("c/x"), 3);
        File.WriteAllLines(tmp.File("c/labels.csv"), ["path,label", "x/ok0.png,a", "x/ok1.png,b", "x/ok2.png,b", "x/gone.png,a"]);
        var e = Fails(tmp.File("c"));
        Assert.Contains("gone.png", e.Message);
        Assert.Contains("line 5", e.Message);
        using var skipping = ImageFolderData.Load(tmp.File("c"), NoCache with { SkipBadImages = true });
        Assert.Single(skipping.Skipped);

        File.WriteAllLines(tmp.File("c/labels.csv"), ["file,class", "x/ok0.png,a"]);
        Assert.Contains("'path' and 'label'", Fails(tmp.File("c")).Message);
    }

    [Fact]
    public void Bad_options_are_rejected_by_name()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageFolderOptions { ValidPct = 1.5 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageFolderOptions { Channels = 2 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageFolderOptions { Size = 0 }.Validate());
    }
}

public class SkippedListTests
{
    [Fact]
    public void The_skipped_list_is_written_one_file_per_line()
    {
        using var tmp = new TempFolder();
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < 3; i++)
                ImageFiles.Write(tmp.File($"c{k}/{i}.png"), ImageFiles.Filled(8, 8, 1, (byte)(50 * k + i)), 8, 8, 1);
        File.WriteAllBytes(tmp.File("c1/zero.png"), []);
        using var data = ImageFolderData.Load(tmp.Path, new ImageFolderOptions { UseCache = false, SkipBadImages = true });
        var list = tmp.File("out/skipped.txt");
        Directory.CreateDirectory(tmp.File("out"));
        data.WriteSkippedList(list);
        var line = Assert.Single(File.ReadAllLines(list));
        Assert.Equal($"{tmp.File("c1/zero.png")}: is empty (0 bytes)", line);
        Assert.Single(Directory.GetFiles(tmp.File("out")));
    }
}
