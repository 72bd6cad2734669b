using Trainwright.Callbacks;
using Trainwright.Learning;
using Trainwright.Tests.Support;

namespace Trainwright.Tests.Learning;

public class ResumeFromTests
{
    [Fact]
    public void ResumesOnlyTheFirstFitItSees()
    {
        using var dir = new TempFolder();
        var save = new SaveModel(dir.Path);
        Tiny.Learner(callbacks: [new AvgStats(), save]).Fit(1); // 5 batches per epoch
        var spy = new SpyCallback();
        var resume = new ResumeFrom(save.LastPath);
        var learner = Tiny.Learner(callbacks: [spy, resume]);

        learner.Fit(2); // continues with the second epoch only
        Assert.Equal(5, spy.Seen.Count(e => e == "AfterStep"));
        Assert.Equal(10, learner.TrainIter);
        Assert.Equal(new LoopPosition(1, 0, 5, 1), resume.Loaded!.Position);

        spy.Seen.Clear();
        learner.Fit(2); // a new fit from the start: the checkpoint is not loaded again
        Assert.Equal(10, spy.Seen.Count(e => e == "AfterStep"));
        Assert.Equal(10, learner.TrainIter);
    }

    [Fact]
    public void AMissingCheckpointIsRefusedWhenTheCallbackIsMade()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-checkpoint-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<FileNotFoundException>(() => new ResumeFrom(missing));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }
}
