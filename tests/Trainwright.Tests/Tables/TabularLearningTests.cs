using Trainwright.Callbacks;
using Trainwright.Data.Tables;
using Trainwright.Learning;
using Trainwright.Models;
using Trainwright.Optim;

namespace Trainwright.Tests.Tables;

/// <summary>The whole path, file to trained model, learns known functions of the columns within stated bands.</summary>
public class TabularLearningTests
{
    private static AvgStats Train(TabularData data, int epochs, double lr)
    {
        TorchSharp.torch.manual_seed(1);
        var model = new TabularModel(data.ModelSettings() with { Layers = [32, 16] }, new TorchSharp.torch.Generator(1));
        var stats = new AvgStats(data.Metrics());
        var learner = new Learner(model, data.ToDataBunch(64, seed: 1), data.Loss, Adam.Factory(), lr, [stats]);
        learner.FitOneCycle(epochs, lr);
        return stats;
    }

    [Fact]
    public void LearnsAKnownClassification()
    {
        // y = 2a − b + colour and size effects > 0, 3% labels flipped: the best possible accuracy is about 0.97.
        using var files = new CsvFiles();
        using var data = TabularData.Load(files.Classification(1500), new TabularOptions { Target = "y" });
        var stats = Train(data, epochs: 5, lr: 1e-2);
        Assert.InRange(stats.Valid!.Metrics["accuracy"], 0.90, 1.0);
        Assert.InRange(stats.Valid.Metrics["macro_f1"], 0.88, 1.0);
    }

    [Fact]
    public void LearnsAKnownRegression()
    {
        // y = 3·x1 − 2·x2² + 0.5·group + 10 + N(0, 0.1²): R² near 0.99 is possible; metrics are in y's own units.
        using var files = new CsvFiles();
        using var data = TabularData.Load(files.Regression(1500), new TabularOptions { Target = "y" });
        Assert.Equal(TabularTask.Regress, data.Task);
        var stats = Train(data, epochs: 5, lr: 1e-2);
        Assert.InRange(stats.Valid!.Metrics["r2"], 0.95, 1.0);
        Assert.InRange(stats.Valid.Metrics["rmse"], 0.0, 0.45);
    }
}
