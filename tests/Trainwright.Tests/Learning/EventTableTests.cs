using System.Reflection;
using Trainwright.Learning;
using Trainwright.Tests.Support;

namespace Trainwright.Tests.Learning;

public class EventTableTests
{
    [Fact]
    public void EveryEventHasARowInEnumOrderAndAnOverridableMethodOfItsName()
    {
        Assert.Equal(Enum.GetValues<Event>(), Events.All);
        foreach (var e in Enum.GetValues<Event>())
        {
            var method = typeof(Callback).GetMethod(e.ToString(), BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
            Assert.True(method is { IsVirtual: true, IsFinal: false, ReturnType: var r } && r == typeof(void),
                $"Callback has no public virtual void {e}() for event {e}.");
        }
    }

    [Fact]
    public void EachRowDispatchesToTheMethodOfItsOwnEvent()
    {
        var spy = new SpyCallback();
        foreach (var e in Enum.GetValues<Event>()) spy.Handle(e);
        Assert.Equal(Enum.GetValues<Event>().Select(e => e.ToString()), spy.Seen);
    }

    [Fact]
    public void HandlesSeesOverridesOnlyIncludingInheritedOnes()
    {
        var derived = new DerivedOverride();
        Assert.True(derived.Handles(Event.AfterStep)); // overridden by the base class
        Assert.True(derived.Handles(Event.BeforeFit)); // overridden here
        Assert.False(derived.Handles(Event.AfterBatch));
        Assert.All(Enum.GetValues<Event>(), e => Assert.True(new SpyCallback().Handles(e)));
    }

    [Fact]
    public void LevelsNestFitEpochPassBatchStep()
    {
        Assert.Equal(LoopLevel.Fit, Events.LevelOf(Event.AfterCancelFit));
        Assert.Equal(LoopLevel.Epoch, Events.LevelOf(Event.BeforeEpoch));
        Assert.Equal(LoopLevel.Pass, Events.LevelOf(Event.AfterCancelValidate));
        Assert.Equal(LoopLevel.Batch, Events.LevelOf(Event.AfterBatch));
        Assert.Equal(LoopLevel.Step, Events.LevelOf(Event.AfterBackward));
        var text = Tiny.Learner(callbacks: [new SpyCallback()]).DescribeTrainingLoop();
        Assert.Contains("\n        AfterPred: Spy", text);
    }

    private class BaseOverride : Callback
    {
        public override void AfterStep() { }
    }

    private sealed class DerivedOverride : BaseOverride
    {
        public override void BeforeFit() { }
    }
}
