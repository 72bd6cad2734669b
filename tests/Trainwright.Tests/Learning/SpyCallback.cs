using Trainwright.Learning;

namespace Trainwright.Tests.Learning;

/// <summary>Records every event it sees, and can throw at a chosen event.</summary>
internal sealed class SpyCallback : Callback
{
    public List<string> Seen { get; } = [];
    public Event? ThrowAt { get; init; }
    public Func<Exception>? Throw { get; init; }
    public int ThrowTimes { get; set; } = int.MaxValue;

    private void Log(Event e)
    {
        Seen.Add(e.ToString());
        if (e == ThrowAt && ThrowTimes-- > 0) throw Throw!();
    }

    public override void BeforeFit() => Log(Event.BeforeFit);
    public override void BeforeEpoch() => Log(Event.BeforeEpoch);
    public override void BeforeTrain() => Log(Event.BeforeTrain);
    public override void BeforeBatch() => Log(Event.BeforeBatch);
    public override void AfterPred() => Log(Event.AfterPred);
    public override void AfterLoss() => Log(Event.AfterLoss);
    public override void BeforeBackward() => Log(Event.BeforeBackward);
    public override void AfterBackward() => Log(Event.AfterBackward);
    public override void AfterStep() => Log(Event.AfterStep);
    public override void AfterCancelBatch() => Log(Event.AfterCancelBatch);
    public override void AfterBatch() => Log(Event.AfterBatch);
    public override void AfterCancelTrain() => Log(Event.AfterCancelTrain);
    public override void AfterTrain() => Log(Event.AfterTrain);
    public override void BeforeValidate() => Log(Event.BeforeValidate);
    public override void AfterCancelValidate() => Log(Event.AfterCancelValidate);
    public override void AfterValidate() => Log(Event.AfterValidate);
    public override void AfterCancelEpoch() => Log(Event.AfterCancelEpoch);
    public override void AfterEpoch() => Log(Event.AfterEpoch);
    public override void AfterCancelFit() => Log(Event.AfterCancelFit);
    public override void AfterFit() => Log(Event.AfterFit);
}
