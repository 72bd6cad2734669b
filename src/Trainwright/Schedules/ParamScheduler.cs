using Trainwright.Learning;

namespace Trainwright.Schedules;

/// <summary>
/// Sets optimizer hyperparameters from schedules before every training batch, at the position
/// <see cref="Learner.PctTrain"/>. Any hyperparameter the optimizer declares can be scheduled (lr, mom, wd, sqr_mom…),
/// with one schedule for every parameter group or one per group.
/// </summary>
public sealed class ParamScheduler : Callback
{
    private readonly Dictionary<string, Schedule[]> schedules;

    /// <summary>One schedule for hyperparameter <paramref name="hyper"/>, applied to every group.</summary>
    public ParamScheduler(string hyper, Schedule schedule) : this(new Dictionary<string, Schedule[]> { [hyper] = [schedule] }) { }

    /// <summary>One schedule per parameter group for <paramref name="hyper"/>, in group order.</summary>
    public ParamScheduler(string hyper, IReadOnlyList<Schedule> perGroup) : this(new Dictionary<string, Schedule[]> { [hyper] = [.. perGroup] }) { }

    /// <summary>Several hyperparameters at once, each with one schedule (all groups) or one per group.</summary>
    public ParamScheduler(IReadOnlyDictionary<string, Schedule[]> schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        if (schedules.Count == 0) throw new ArgumentException("Give at least one hyperparameter to schedule.", nameof(schedules));
        foreach (var (name, list) in schedules)
            if (string.IsNullOrWhiteSpace(name) || list is null || list.Length == 0 || list.Any(s => s is null))
                throw new ArgumentException($"Hyperparameter '{name}' needs a name and at least one schedule.", nameof(schedules));
        this.schedules = schedules.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    /// <inheritdoc />
    public override int Order => CallbackOrder.ParamScheduler;

    /// <summary>
    /// Skip, instead of refusing, hyperparameters the optimizer does not declare (e.g. a momentum schedule given to an
    /// optimizer without momentum).
    /// </summary>
    public bool SkipMissing { get; init; }

    /// <summary>The hyperparameters this callback sets.</summary>
    public IReadOnlyCollection<string> Hypers => schedules.Keys;

    /// <inheritdoc />
    public override void BeforeFit()
    {
        var groups = Learner.Opt.Groups;
        if (SkipMissing)
            foreach (var name in schedules.Keys.Where(n => !groups.All(g => g.Has(n))).ToList())
                schedules.Remove(name);
        foreach (var (name, list) in schedules)
        {
            if (list.Length != 1 && list.Length != groups.Count)
                throw new InvalidOperationException(
                    $"'{name}' has {list.Length} schedules but the optimizer has {groups.Count} parameter groups: give one schedule, or one per group.");
            if (!groups.All(g => g.Has(name)))
                throw new InvalidOperationException(
                    $"The optimizer has no hyperparameter '{name}' to schedule. It has: {string.Join(", ", groups[0].Hypers.Keys)}.");
        }
        Apply(Learner.PctTrain);
    }

    /// <inheritdoc />
    public override void BeforeBatch()
    {
        if (Learner.Training) Apply(Learner.PctTrain);
    }

    private void Apply(double position)
    {
        var groups = Learner.Opt.Groups;
        foreach (var (name, list) in schedules)
            for (int g = 0; g < groups.Count; g++)
                groups[g][name] = list[list.Length == 1 ? 0 : g](position);
    }
}
