using SkiaSharp;
using Trainwright.Tests.Images;
using Trainwright.Tests.Support;

namespace Trainwright.Tests.Inference;

/// <summary>
/// A small train/valid image folder of two classes ("dark" and "light") of RGB images of different sizes and formats,
/// so decoding, cropping and normalising all matter.
/// </summary>
internal sealed class GeneratedImageFolder : IDisposable
{
    private readonly TempFolder folder = new();

    public GeneratedImageFolder(int trainPerClass = 12, int validPerClass = 4, int seed = 7)
    {
        var rng = new Random(seed);
        string[] classes = ["dark", "light"];
        var valid = new List<string>();
        var validLabels = new List<int>();
        foreach (var (split, count) in new[] { ("train", trainPerClass), ("valid", validPerClass) })
        {
            for (int c = 0; c < classes.Length; c++)
            {
                for (int i = 0; i < count; i++)
                {
                    int w = rng.Next(24, 49), h = rng.Next(20, 41);
                    var format = i % 3 == 2 ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
                    var path = folder.File(split, classes[c], $"{i:00}.{(format == SKEncodedImageFormat.Jpeg ? "jpg" : "png")}");
                    ImageFiles.Write(path, Pixels(rng, w, h, c), w, h, 3, format);
                    if (split == "valid")
                    {
                        valid.Add(path);
                        validLabels.Add(c);
                    }
                }
            }
        }
        ValidFiles = valid;
        ValidLabels = validLabels;
    }

    public string Root => folder.Path;

    public IReadOnlyList<string> ValidFiles { get; }

    public IReadOnlyList<int> ValidLabels { get; }

    public string File(params string[] parts) => folder.File(parts);

    /// <summary>RGB pixels: a class-dependent brightness, a horizontal gradient and noise.</summary>
    public static byte[] Pixels(Random rng, int w, int h, int cls)
    {
        var p = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < 3; k++)
                {
                    double v = (cls == 0 ? 60 : 170) + 40.0 * x / w + 25 * k + rng.Next(-30, 31);
                    p[(y * w + x) * 3 + k] = (byte)Math.Clamp(v, 0, 255);
                }
        return p;
    }

    public void Dispose() => folder.Dispose();
}
