namespace Trainwright.Data.Images;

/// <summary>What the decode pass learnt about an image folder, stored in the decode cache beside the pixels.</summary>
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
    float[] Std);
