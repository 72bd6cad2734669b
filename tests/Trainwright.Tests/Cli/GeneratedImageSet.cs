using Trainwright.Data;

namespace Trainwright.Tests.Cli;

/// <summary>
/// Writes a small, learnable MNIST-style IDX folder with any image size and class count: class k lights up a band of
/// rows k/classes of the way down the image, plus noise, so even a few epochs separate the classes.
/// </summary>
internal static class GeneratedImageSet
{
    public static string Write(string folder, int height = 14, int width = 14, int classes = 4, int trainCount = 600, int testCount = 120, int seed = 5)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        Write(folder, MnistData.TrainImagesName, MnistData.TrainLabelsName, trainCount);
        Write(folder, MnistData.TestImagesName, MnistData.TestLabelsName, testCount);
        return folder;

        void Write(string dir, string imagesName, string labelsName, int count)
        {
            var pixels = new byte[count * height * width];
            var labels = new byte[count];
            int band = Math.Max(1, height / classes);
            for (int i = 0; i < count; i++)
            {
                int label = random.Next(classes);
                labels[i] = (byte)label;
                for (int r = 0; r < height; r++)
                    for (int c = 0; c < width; c++)
                    {
                        bool lit = r / band == label;
                        pixels[(i * height + r) * width + c] = (byte)Math.Clamp((lit ? 180 : 20) + random.Next(-40, 41), 0, 255);
                    }
            }
            IdxWriter.Write(Path.Combine(dir, imagesName + ".gz"), pixels, count, height, width);
            IdxWriter.Write(Path.Combine(dir, labelsName + ".gz"), labels, count);
        }
    }
}
