using Trainwright.Data.Images;
using Trainwright.Tests.Support;
using static TorchSharp.torch;

namespace Trainwright.Tests.Images;

/// <summary>
/// <c>--resize crop</c> trains on random crops along the long side (fastai) and validates on the centre crop. Every
/// training image is a ramp whose pixel values name the image and the column (or row) they came from, so a crop
/// tells where it was taken.
/// </summary>
public class RandomCropTests
{
    private const int Size = 16, Long = 20;

    // Landscape Long×Size with value 10·x + id, or portrait Size×Long with 10·y + id: the long axis carries the ramp.
    private static void WriteRamp(string path, int id, bool portrait)
    {
        int w = portrait ? Size : Long, h = portrait ? Long : Size;
        var px = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                px[y * w + x] = (byte)(10 * (portrait ? y : x) + id);
        ImageFiles.Write(path, px, w, h, 1);
    }

    // Ten training images (ids 0–9, 3 and 8 portrait) and one landscape validation image per class.
    private static string WriteFolder(TempFolder tmp)
    {
        for (int id = 0; id < 10; id++)
            WriteRamp(tmp.File("train", id < 5 ? "a" : "b", $"img{id}.png"), id, portrait: id % 5 == 3);
        WriteRamp(tmp.File("valid", "a", "v.png"), 0, portrait: false);
        WriteRamp(tmp.File("valid", "b", "v.png"), 5, portrait: false);
        return tmp.Path;
    }

    private static ImageFolderOptions Options => new() { UseCache = false, DecodeWorkers = 2, Size = Size, Resize = ResizeMethod.Crop };

    // (id, offset) of a crop: its top-left pixel is 10·offset + id, and every pixel must follow the ramp from there.
    private static (int Id, int Offset) Where(Tensor crop, bool portrait)
    {
        var px = crop.data<byte>().ToArray();
        Assert.Equal(Size * Size, px.Length);
        int id = px[0] % 10, offset = px[0] / 10;
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
                Assert.Equal(10 * (offset + (portrait ? y : x)) + id, px[y * Size + x]);
        return (id, offset);
    }

    [Fact]
    public void Training_crops_move_along_the_long_side_each_epoch_seeded_and_portraits_stay_upright()
    {
        using var tmp = new TempFolder();
        using var data = ImageFolderData.Load(WriteFolder(tmp), Options);
        Assert.Equal(Long, data.TrainWidth);
        Assert.Equal(new long[] { 10, 1, Size, Long }, data.Train.X.shape);
        var crops = data.TrainCrops(seed: 7);
        var again = data.TrainCrops(seed: 7);
        var other = data.TrainCrops(seed: 8);
        int differentSeed = 0;
        for (int i = 0; i < 10; i++)
        {
            var seen = new HashSet<int>();
            for (int epoch = 0; epoch < 12; epoch++)
            {
                var (x, y) = crops.At(i, epoch);
                using (x) using (y)
                {
                    var (id, offset) = Where(x, portrait: i % 5 == 3);
                    Assert.Equal(i, id); // training rows are in path order: img0 … img9
                    Assert.Equal(crops.Offset(i, epoch), offset);
                    Assert.InRange(offset, 0, Long - Size);
                    seen.Add(offset);
                }
                Assert.Equal(crops.Offset(i, epoch), again.Offset(i, epoch));
                if (other.Offset(i, epoch) != crops.Offset(i, epoch)) differentSeed++;
            }
            Assert.True(seen.Count >= 2, $"image {i} was cropped at {string.Join(", ", seen)} over 12 epochs");
            var (cx, cy) = crops.Centre(i);
            using (cx) using (cy) Assert.Equal((Long - Size) / 2, Where(cx, portrait: i % 5 == 3).Offset);
        }
        Assert.True(differentSeed > 30, $"only {differentSeed} of 120 crops moved with another seed");
    }

    [Fact]
    public void The_loader_crops_by_its_epoch_a_resumed_loader_repeats_them_and_validation_is_the_centre()
    {
        using var tmp = new TempFolder();
        using var data = ImageFolderData.Load(WriteFolder(tmp), Options);

        Dictionary<int, int> Epoch(Trainwright.Data.IDataLoader loader)
        {
            var found = new Dictionary<int, int>();
            foreach (var batch in loader)
                using (batch)
                    for (int k = 0; k < batch.Size; k++)
                    {
                        using var item = batch.Xb[k];
                        var (id, offset) = Where(item, portrait: false);
                        found[id] = offset;
                    }
            return found;
        }

        // Landscape images only, so every batch item ramps along its rows (portraits are checked in the test above).
        using var landscapeOnly = new TempFolder();
        for (int id = 0; id < 10; id++) WriteRamp(landscapeOnly.File("train", id < 5 ? "a" : "b", $"img{id}.png"), id, portrait: false);
        WriteRamp(landscapeOnly.File("valid", "a", "v.png"), 0, portrait: false);
        WriteRamp(landscapeOnly.File("valid", "b", "v.png"), 5, portrait: false);
        using var flat = ImageFolderData.Load(landscapeOnly.Path, Options);
        var flatCrops = flat.TrainCrops(seed: 3);
        var bunch = flat.ToDataBunch(batchSize: 4, numWorkers: 1, seed: 3);
        var first = Epoch(bunch.Train);
        var second = Epoch(bunch.Train);
        Assert.Equal(10, first.Count);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(flatCrops.Offset(i, 0), first[i]);
            Assert.Equal(flatCrops.Offset(i, 1), second[i]);
        }
        Assert.Contains(Enumerable.Range(0, 10), i => first[i] != second[i]);

        // A resumed run's learner sets the loader's epoch; the crops are those of the uninterrupted run.
        var resumed = flat.ToDataBunch(batchSize: 4, seed: 3);
        resumed.Train.Epoch = 1;
        Assert.Equal(second, Epoch(resumed.Train));

        // Validation: the centre crop, exactly what prediction decodes from the file.
        Assert.Equal(new long[] { 2, 1, Size, Size }, data.Valid.X.shape);
        foreach (var (row, file) in new[] { (0, tmp.File("valid", "a", "v.png")), (1, tmp.File("valid", "b", "v.png")) })
        {
            using var viaFile = data.Preprocessing.DecodeFile(file);
            using var stored = data.Valid.X[row];
            Assert.True(stored.Equals(viaFile));
            Assert.Equal((Long - Size) / 2, Where(stored, portrait: false).Offset);
        }
    }

    [Fact]
    public void Square_images_and_other_resize_methods_store_plain_squares()
    {
        using var tmp = new TempFolder();
        var folder = WriteFolder(tmp);
        using var squish = ImageFolderData.Load(folder, Options with { Resize = ResizeMethod.Squish });
        Assert.Equal(Size, squish.TrainWidth);
        using var square = new TempFolder();
        for (int id = 0; id < 4; id++)
            ImageFiles.Write(square.File(id < 2 ? "a" : "b", $"{id}.png"), ImageFiles.Filled(24, 24, 1, (byte)(50 * id)), 24, 24, 1);
        using var squares = ImageFolderData.Load(square.Path, Options);
        Assert.Equal(new long[] { Size, Size }, squares.Train.X.shape[2..]); // no room kept: nothing to crop at random
        using var centre = ImageFolderData.Load(folder, Options with { TrainCropAspect = 1 });
        Assert.Equal(Size, centre.TrainWidth);
        // With centre crops only, a training row is its centre crop.
        var crops = centre.TrainCrops(seed: 1);
        var (x, y) = crops.At(0, 5);
        using (x) using (y) Assert.Equal((Long - Size) / 2, Where(x, portrait: false).Offset);
    }

    [Fact]
    public void A_batch_of_crops_copied_from_memory_equals_the_crops_cut_by_tensor_operations()
    {
        // Three channels, rows 24 wide holding images 16 to 24 long, upright and transposed (negative lengths).
        using var scope = NewDisposeScope();
        manual_seed(11);
        var x = randint(0, 256, [6, 3, Size, 24], dtype: ScalarType.Byte);
        var y = arange(6, dtype: ScalarType.Int64).mul(7);
        int[] lengths = [16, 24, -20, -16, 19, -24];
        var crops = new RandomCropDataset(x, y, lengths, Size, seed: 5);
        // The same rows as a strided view: not contiguous, so its batches go through tensor operations.
        var strided = cat([x, x], 3).narrow(3, 0, 24);
        Assert.False(strided.is_contiguous());
        var viaTensors = new RandomCropDataset(strided, y, lengths, Size, seed: 5);
        int[] order = [4, 0, 5, 2, 2, 1, 3];
        for (int epoch = 0; epoch < 4; epoch++)
        {
            using var batch = crops.Gather(order, epoch);
            using var reference = viaTensors.Gather(order, epoch);
            Assert.Equal(new long[] { order.Length, 3, Size, Size }, batch.Xb.shape);
            for (int k = 0; k < order.Length; k++)
            {
                var (cx, cy) = crops.At(order[k], epoch); // narrow and transpose of the stored row
                Assert.True(batch.Xb[k].Equals(cx), $"item {order[k]}, epoch {epoch}");
                Assert.Equal(cy.item<long>(), batch.Yb[k].item<long>());
            }
            Assert.True(batch.Xb.Equals(reference.Xb));
            Assert.True(batch.Yb.Equals(reference.Yb));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => crops.Gather([0, 6], 0));
    }
}
