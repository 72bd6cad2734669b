namespace Trainwright.Optim;

/// <summary>The checks every optimizer makes of its hyperparameters, with one wording for each.</summary>
internal static class HyperChecks
{
    public static void Lr(double lr, string name = "lr")
    {
        if (!(lr >= 0) || double.IsInfinity(lr)) throw new ArgumentOutOfRangeException(name, lr, "The learning rate must be a finite number ≥ 0.");
    }

    /// <summary>A decay rate such as momentum or β₂, in [0, 1).</summary>
    public static void UnitInterval(double value, string name, string what)
    {
        if (!(value >= 0 && value < 1)) throw new ArgumentOutOfRangeException(name, value, $"{what} must be in [0, 1).");
    }

    public static void Wd(double wd, string name = "wd")
    {
        if (!(wd >= 0) || double.IsInfinity(wd)) throw new ArgumentOutOfRangeException(name, wd, "Weight decay must be a finite number ≥ 0.");
    }

    public static void Eps(double eps, string name = "eps")
    {
        if (!(eps > 0) || double.IsInfinity(eps)) throw new ArgumentOutOfRangeException(name, eps, "eps must be a finite number > 0.");
    }

    /// <summary>Groups that all start with <paramref name="hypers"/>.</summary>
    public static ParamGroup[] Groups(IEnumerable<IEnumerable<TorchSharp.Modules.Parameter>> groups, Dictionary<string, double> hypers)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return [.. groups.Select(g => new ParamGroup(g ?? throw new ArgumentNullException(nameof(groups), "A parameter group is null."), hypers))];
    }
}
