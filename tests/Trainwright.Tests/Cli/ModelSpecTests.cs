using Trainwright.Cli.DataSources;
using Trainwright.Cli.Host;
using Trainwright.Cli.Networks;
using Trainwright.Cli.Settings;

namespace Trainwright.Tests.Cli;

public class ModelSpecTests
{
    private static readonly DataShape Digits = new(1, 28, 28, [.. Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

    [Fact]
    public void A_cnn_checkpoint_from_before_the_fast_cnn_reads_as_the_lessons_cnn()
    {
        var fast = ModelSpec.For(ModelKind.Cnn, new RunSettings(), Digits);
        var written = fast.ToMetadata().ToDictionary();
        Assert.Equal(fast, ModelSpec.FromMetadata(written));

        // What an earlier version wrote for --model cnn: the same kind word, no design key.
        written.Remove("model.design");
        var old = ModelSpec.FromMetadata(written);
        Assert.Equal(ModelKind.LessonCnn, old!.Kind);
        Assert.Equal(ModelKind.LessonCnn, RunSettings.FromMetadata(new Dictionary<string, string>(written) { ["train.model"] = "cnn" }).Model);
        Assert.Equal(ModelKind.Cnn, RunSettings.FromMetadata(new Dictionary<string, string>(fast.ToMetadata()) { ["train.model"] = "cnn" }).Model);
    }

    [Fact]
    public void The_fast_cnn_refuses_images_too_small_for_it_and_names_the_way_out()
    {
        var tiny = Digits with { Height = 9, Width = 12 };
        var e = Assert.Throws<CliException>(() => ModelSpec.For(ModelKind.Cnn, new RunSettings(), tiny));
        Assert.Contains("at least 10x10 pixels, and these are 9x12", e.Message, StringComparison.Ordinal);
        Assert.Contains("--model lesson-cnn", e.Message, StringComparison.Ordinal);
        Assert.Equal(ModelKind.LessonCnn, ModelSpec.For(ModelKind.LessonCnn, new RunSettings(), tiny).Kind);
    }

    [Fact]
    public void The_parameter_count_the_size_limit_uses_is_the_networks_own()
    {
        var spec = ModelSpec.For(ModelKind.Cnn, new RunSettings(), Digits with { Channels = 3 });
        using var model = spec.Build();
        Assert.Equal(model.parameters().Sum(p => p.numel()), spec.ParameterCount);
    }

    [Fact]
    public void The_cnn_recipe_smooths_labels_and_holds_adams_betas_and_only_the_cnn_has_it()
    {
        var recipe = TrainingRecipe.For(ModelKind.Cnn);
        Assert.Equal((OptimizerKind.Adam, 0.01, 128, 0.1), (recipe.Optimizer, recipe.Lr, recipe.BatchSize, recipe.LabelSmoothing));
        Assert.False(recipe.CyclesMomentum(OptimizerKind.Adam));
        Assert.True(recipe.CyclesMomentum(OptimizerKind.Sgd));
        Assert.Equal(Trainwright.Cli.Commands.CliOptions.DefaultSgdLr, recipe.DefaultLr(OptimizerKind.Sgd));
        foreach (var kind in new[] { ModelKind.Mlp, ModelKind.LessonCnn, ModelKind.Resnet18, ModelKind.Tabular })
            Assert.Equal(TrainingRecipe.Lesson, TrainingRecipe.For(kind));
    }
}
