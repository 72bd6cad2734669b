using Trainwright.Data.Images;
using Trainwright.Tests.Support;

namespace Trainwright.Tests.Images;

/// <summary>Without a size, the default size comes from the headers of at most 1,000 files spread over the folder.</summary>
public class DefaultSizeSampleTests
{
    private sealed class Collect(List<ImageLoadProgress> into) : IProgress<ImageLoadProgress>
    {
        public void Report(ImageLoadProgress value) { lock (into) into.Add(value); }
    }

    [Fact]
    public void A_large_folder_reads_a_spread_sample_of_headers_and_still_decodes_every_image()
    {
        using var tmp = new TempFolder();
        // 1,200 files: class a holds 500 of 40 px, class b 700 of 60 px. The median short side is 60; the first 1,000
        // files alone would give 40, an even spread over the list gives 60.
        for (int i = 0; i < 1200; i++)
        {
            int side = i < 500 ? 40 : 60;
            ImageFiles.Write(tmp.File("data", i < 500 ? "a" : "b", $"{i:0000}.png"), ImageFiles.Filled(side, side, 1, (byte)(i % 251)), side, side, 1);
        }
        var progress = new List<ImageLoadProgress>();
        using var data = ImageFolderData.Load(tmp.File("data"), new ImageFolderOptions { UseCache = false, DecodeWorkers = 2, Progress = new Collect(progress) });
        Assert.Equal(1000, progress.Last(p => p.Phase == "Reading headers").Total);
        Assert.Equal(1200, progress.Last(p => p.Phase == "Decoding").Total);
        Assert.Equal(60, data.Size);
        Assert.Equal(1200, data.TrainCount + data.ValidCount);
    }
}
