
namespace Trainwright.Learning;

/// <summary>
/// Puts the model in train mode for training batches and eval mode for validation (batch norm and dropout behave
/// differently), and keeps the learner's counters: <see cref="Learner.EpochFraction"/> and <see cref="Learner.TrainIter"/>.
/// Every learner has one.
/// </summary>
public sealed class TrainEval : Callback
{
    /// <inheritdoc />
    public override bool OnePerLearner => true;

    /// <inheritdoc />
    public override int Order => CallbackOrder.TrainEval;

    /// <inheritdoc />
    public override void BeforeEpoch() => Learner.EpochFraction = Learner.Epoch;

    /// <inheritdoc />
    public override void BeforeTrain()
    {
        Learner.Model.train();
        Learner.Training = true;
    }

    /// <inheritdoc />
    public override void AfterBatch()
    {
        var l = Learner;
        if (!l.Training) return;
        l.EpochFraction += 1.0 / Math.Max(1, l.ItersPerEpoch);
        l.TrainIter++;
    }

    /// <inheritdoc />
    public override void BeforeValidate()
    {
        Learner.Model.eval();
        Learner.Training = false;
    }
}
