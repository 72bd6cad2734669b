namespace Trainwright.Data.Tables;

/// <summary>
/// How a regression target is shown to the model: optionally log(1 + y), then normalised with the training split's
/// mean and standard deviation. Predictions are mapped back with <see cref="FromModel(double)"/>.
/// </summary>
/// <param name="Mean">Training mean of the (logged) target.</param>
/// <param name="Std">Training standard deviation of the (logged) target (population, plus 1e-7).</param>
/// <param name="Log">True when the target is log(1 + y).</param>
public sealed record TargetScaling(double Mean, double Std, bool Log)
{
    /// <summary>The model's value for target <paramref name="y"/>.</summary>
    public double ToModel(double y) => ((Log ? Math.Log(1 + y) : y) - Mean) / Std;

    /// <summary>The target for the model's value <paramref name="z"/>.</summary>
    public double FromModel(double z)
    {
        double v = z * Std + Mean;
        return Log ? Math.Exp(v) - 1 : v;
    }

    /// <summary><see cref="FromModel(double)"/> element-wise on a tensor.</summary>
    public TorchSharp.torch.Tensor FromModel(TorchSharp.torch.Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        var v = z * Std + Mean;
        if (!Log) return v;
        using (v) return v.exp().sub_(1);
    }
}
