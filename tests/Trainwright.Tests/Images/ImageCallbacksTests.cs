using Trainwright.Augment;
using Trainwright.Data;
using Trainwright.Data.Images;
using Trainwright.Learning;
using Trainwright.Losses;
using Trainwright.Optim;
using static TorchSharp.torch;

namespace Trainwright.Tests.Images;

public class ImageCallbacksTests
{
    // Copies the model's input of every batch, after augmentation and normalisation have run.
    private sealed class InputSpy : Callback
    {
        public List<(bool Training, Tensor X)> Inputs { get; } = [];
        public override int Order => NormalizeImages.DefaultOrder + 1;
        public override void BeforeBatch()
        {
            var x = Learner.Xb.clone();
            x.MoveToOuterDisposeScope();
            Inputs.Add((Learner.Training, x));
        }
    }

    [Fact]
    public void Training_batches_are_augmented_and_normalised_validation_batches_only_normalised()
    {
        using var images = randint(0, 256, [6, 1, 4, 4], dtype: ScalarType.Byte, generator: new Generator(4));
        using var labels = tensor(new long[] { 0, 1, 0, 1, 0, 1 });
        // One batch each, in order: train and valid are the same six images.
        var data = new DataBunch(new DataLoader<(Tensor X, Tensor Y)>(new TensorPairDataset(images, labels), 6),
            new DataLoader<(Tensor X, Tensor Y)>(new TensorPairDataset(images, labels), 6), 2);
        var preprocessing = new ImagePreprocessing(4, ResizeMethod.Squish, 1, [0.4f], [0.2f]);
        var spy = new InputSpy();
        var model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2));
        var callbacks = new List<Callback>(ImageBatches.Callbacks(preprocessing, AugmentOptions.None with { FlipHorizontal = 1 })) { spy };
        var learner = new Learner(model, data, LossFunctions.CrossEntropyLoss, Sgd.Factory(), 0.01, callbacks);
        learner.Fit(1);

        Assert.Equal(2, spy.Inputs.Count);
        using var plain = (images.to_type(ScalarType.Float32) / 255f - 0.4f) / 0.2f;
        using var flipped = plain.flip(3);
        var (trainX, validX) = (spy.Inputs.Single(i => i.Training).X, spy.Inputs.Single(i => !i.Training).X);
        Assert.True(trainX.allclose(flipped, rtol: 1e-5, atol: 1e-5));
        Assert.True(validX.allclose(plain, rtol: 1e-5, atol: 1e-5));
        foreach (var (_, x) in spy.Inputs) x.Dispose();
    }
}
