using Trainwright.Tests.Images;

namespace Trainwright.Tests.Cli;

/// <summary>Writes bundled MNIST digits as PNG files in an image folder's train/valid/test layout, with non-ASCII class names.</summary>
internal static class ImageFolderWriter
{
    /// <summary>Class folder names: French number words (accents and all), so names are not digits and not plain ASCII.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"];

    /// <summary>Writes <paramref name="train"/> + <paramref name="valid"/> + <paramref name="test"/> digits (in that order of the MNIST test file) under <paramref name="root"/>.</summary>
    public static string Write(string root, int train, int valid, int test)
    {
        var (images, labels) = ImageFiles.Mnist(train + valid + test);
        for (int i = 0; i < images.Length; i++)
        {
            var split = i < train ? "train" : i < train + valid ? "valid" : "test";
            ImageFiles.Write(Path.Combine(root, split, ClassNames[labels[i]], $"{i:D5}.png"), images[i], 28, 28, 1);
        }
        return root;
    }
}
