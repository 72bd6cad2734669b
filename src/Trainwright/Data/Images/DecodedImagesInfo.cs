namespace Trainwright.Data.Images;

/// <summary>What the decode pass learnt about an image folder, stored in the decode cache beside the pixels.</summary>
/// <param name="Size">Side of the square images (validation, test, and training crops).</param>
/// <param name="Channels">1 or 3.</param>
/// <param name="Labels">Labels of every kept image: training, then validation, then test.</param>
/// <param name="TrainCount">Training images.</param>
/// <param name="ValidCount">Validation images.</param>
/// <param name="TestCount">Test images.</param>
/// <param name="Skipped">Files left out, with the reason.</param>
/// <param name="SizeStats">Smallest, median and largest image found.</param>
/// <param name="Mean">Per-channel mean of the training images on the [0, 1] scale.</param>
/// <param name="Std">Per-channel standard deviation of the training images.</param>
/// <param name="TrainWidth">Width of the stored training rows: <paramref name="Size"/>, or more when training images
/// keep their long side for random crops.</param>
/// <param name="TrainLengths">Per training image, the stored long side's length (columns used, at least
/// <paramref name="Size"/>), negative when the image was stored transposed; empty when <paramref name="TrainWidth"/>
/// is <paramref name="Size"/>.</param>
internal sealed record DecodedImagesInfo(
    int Size,
    int Channels,
    int[] Labels,
    int TrainCount,
    int ValidCount,
    int TestCount,
    SkippedImage[] Skipped,
    ImageSizeStats SizeStats,
    float[] Mean,
    float[] Std,
    int TrainWidth,
    int[] TrainLengths);
