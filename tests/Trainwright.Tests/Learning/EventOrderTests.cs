using Trainwright.Learning;
using Trainwright.Tests.Support;

namespace Trainwright.Tests.Learning;

public class EventOrderTests
{
    private const string TrainBatch = "BeforeBatch AfterPred AfterLoss BeforeBackward AfterBackward AfterStep AfterBatch";
    private const string ValidBatch = "BeforeBatch AfterPred AfterLoss AfterBatch";

    private static List<string> Run(SpyCallback spy, int epochs = 1)
    {
        // 16 training items in batches of 8 (2 batches); 8 validation items in one batch of 16.
        var learner = Tiny.Learner(Tiny.Data(trainItems: 16, validItems: 8, batchSize: 8), [spy]);
        learner.Fit(epochs);
        return spy.Seen;
    }

    private static string[] Words(params string[] parts) => string.Join(' ', parts).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void NormalEpochFiresEveryEventInOrder()
    {
        var seen = Run(new SpyCallback());
        var expected = Words("BeforeFit BeforeEpoch BeforeTrain", TrainBatch, TrainBatch, "AfterTrain BeforeValidate", ValidBatch,
            "AfterValidate AfterEpoch AfterFit");
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void CancelBatchInBeforeBatchSkipsThatBatchOnly()
    {
        var seen = Run(new SpyCallback { ThrowAt = Event.BeforeBatch, Throw = () => new CancelBatchException(), ThrowTimes = 1 });
        var expected = Words("BeforeFit BeforeEpoch BeforeTrain", "BeforeBatch AfterCancelBatch AfterBatch", TrainBatch,
            "AfterTrain BeforeValidate", ValidBatch, "AfterValidate AfterEpoch AfterFit");
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void CancelTrainInAfterStepGoesStraightToValidation()
    {
        var seen = Run(new SpyCallback { ThrowAt = Event.AfterStep, Throw = () => new CancelTrainException() });
        var expected = Words("BeforeFit BeforeEpoch BeforeTrain", TrainBatch, "AfterCancelTrain AfterTrain BeforeValidate", ValidBatch,
            "AfterValidate AfterEpoch AfterFit");
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void CancelValidateSkipsValidationBatches()
    {
        var seen = Run(new SpyCallback { ThrowAt = Event.BeforeValidate, Throw = () => new CancelValidateException() });
        var expected = Words("BeforeFit BeforeEpoch BeforeTrain", TrainBatch, TrainBatch,
            "AfterTrain BeforeValidate AfterCancelValidate AfterValidate AfterEpoch AfterFit");
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void CancelEpochInBeforeEpochSkipsToTheNextEpoch()
    {
        var seen = Run(new SpyCallback { ThrowAt = Event.BeforeEpoch, Throw = () => new CancelEpochException(), ThrowTimes = 1 }, epochs: 2);
        var expected = Words("BeforeFit", "BeforeEpoch AfterCancelEpoch AfterEpoch",
            "BeforeEpoch BeforeTrain", TrainBatch, TrainBatch, "AfterTrain BeforeValidate", ValidBatch, "AfterValidate AfterEpoch",
            "AfterFit");
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void CancelFitInBeforeFitRunsOnlyTheClosingEvents()
    {
        var seen = Run(new SpyCallback { ThrowAt = Event.BeforeFit, Throw = () => new CancelFitException() });
        Assert.Equal(Words("BeforeFit AfterCancelFit AfterFit"), seen);
    }

    [Fact]
    public void CancelFitInsideABatchStillClosesBatchEpochAndFit()
    {
        var seen = Run(new SpyCallback { ThrowAt = Event.AfterLoss, Throw = () => new CancelFitException() });
        var expected = Words("BeforeFit BeforeEpoch BeforeTrain BeforeBatch AfterPred AfterLoss AfterBatch AfterTrain AfterEpoch AfterCancelFit AfterFit");
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void AnErrorInACallbackIsWrappedWithItsNameAndEventAfterCleanup()
    {
        var spy = new SpyCallback { ThrowAt = Event.AfterBackward, Throw = () => new InvalidOperationException("boom") };
        var learner = Tiny.Learner(Tiny.Data(trainItems: 16, validItems: 8, batchSize: 8), [spy]);
        var e = Assert.Throws<CallbackException>(() => learner.Fit(1));
        Assert.Equal("Spy", e.CallbackName);
        Assert.Equal(Event.AfterBackward, e.Event);
        Assert.Contains("Spy", e.Message);
        Assert.Contains("AfterBackward", e.Message);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Equal("AfterFit", spy.Seen[^1]);
        Assert.DoesNotContain("AfterStep", spy.Seen);
    }

    [Fact]
    public void AnErrorDuringCleanupDoesNotHideTheFirstError()
    {
        var first = new SpyCallback { ThrowAt = Event.AfterLoss, Throw = () => new InvalidOperationException("first") };
        var second = new SpyCallback { ThrowAt = Event.AfterBatch, Throw = () => new InvalidOperationException("second") };
        var learner = Tiny.Learner(Tiny.Data(trainItems: 16, validItems: 8, batchSize: 8), [first, second]);
        var e = Assert.Throws<CallbackException>(() => learner.Fit(1));
        Assert.Equal("first", e.InnerException!.Message);
        Assert.Equal(Event.AfterLoss, e.Event);
        Assert.Equal("AfterFit", second.Seen[^1]); // cleanup still reached everyone
    }

    [Fact]
    public void CallbacksRunByOrderAndStablyWithinAnOrder()
    {
        var log = new List<string>();
        var learner = Tiny.Learner(Tiny.Data(trainItems: 8, validItems: 8, batchSize: 8),
            [new Named("late", 5, log), new Named("first", -1, log), new Named("second", 5, log)]);
        learner.Fit(1);
        Assert.Equal(["first", "late", "second"], log.Take(3));
    }

    [Fact]
    public void PerFitCallbacksAreDetachedAfterTheFit()
    {
        var learner = Tiny.Learner(Tiny.Data(trainItems: 8, validItems: 8, batchSize: 8));
        var spy = new SpyCallback();
        learner.Fit(1, [spy]);
        Assert.False(spy.IsAttached);
        Assert.False(learner.TryGet<SpyCallback>(out _));
        Assert.NotEmpty(spy.Seen);
    }

    [Fact]
    public void ShowTrainingLoopListsHandlersPerEvent()
    {
        var learner = Tiny.Learner(callbacks: [new SpyCallback()]);
        var text = learner.DescribeTrainingLoop();
        Assert.Contains("BeforeTrain: TrainEval, Spy", text);
        Assert.Contains("AfterStep: Spy", text);
        Assert.DoesNotContain("AfterStep: TrainEval", text);
    }

    private sealed class Named(string name, int order, List<string> log) : Callback
    {
        public override int Order => order;
        public override string Name => name;
        public override void BeforeFit() => log.Add(name);
    }
}
