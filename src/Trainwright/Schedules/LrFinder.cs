using Trainwright.Learning;
using Trainwright.Optim;
using Trainwright.Plotting;

namespace Trainwright.Schedules;

/// <summary>
/// The learning rate finder: trains with a learning rate growing exponentially from <see cref="StartLr"/> to
/// <see cref="EndLr"/> over at most <see cref="MaxIter"/> batches, recording the loss, and stops once the (smoothed)
/// loss passes <see cref="StopFactor"/> times its best or is not finite. Use it through
/// <see cref="LearnerScheduling.LrFind"/>, which puts the model and optimizer back exactly as they were.
/// </summary>
public sealed class LrFinder : Callback
{
    private const double SmoothingBeta = 0.98;
    private readonly List<double> lrs = [];
    private readonly List<double> losses = [];
    private readonly List<double> smoothed = [];
    private double average, best;
    private int iter;

    /// <summary>Creates the finder.</summary>
    public LrFinder(double startLr = 1e-7, double endLr = 10, int maxIter = 100, double stopFactor = 4)
    {
        if (!(startLr > 0) || !(endLr > startLr))
            throw new ArgumentOutOfRangeException(nameof(startLr), $"Need 0 < startLr < endLr; got {startLr} and {endLr}.");
        if (maxIter < 2) throw new ArgumentOutOfRangeException(nameof(maxIter), maxIter, "The finder needs at least 2 batches.");
        if (!(stopFactor > 1)) throw new ArgumentOutOfRangeException(nameof(stopFactor), stopFactor, "The stop factor must be above 1 (4 to 10 is usual).");
        (StartLr, EndLr, MaxIter, StopFactor) = (startLr, endLr, maxIter, stopFactor);
    }

    /// <inheritdoc />
    public override int Order => CallbackOrder.LrFinder;

    /// <summary>First learning rate tried.</summary>
    public double StartLr { get; }
    /// <summary>Last learning rate tried if the loss never diverges.</summary>
    public double EndLr { get; }
    /// <summary>Most batches tried.</summary>
    public int MaxIter { get; }
    /// <summary>Stop once the smoothed loss exceeds this many times its best.</summary>
    public double StopFactor { get; }

    /// <summary>The learning rates tried, one per batch.</summary>
    public IReadOnlyList<double> Lrs => lrs;
    /// <summary>The raw loss at each learning rate.</summary>
    public IReadOnlyList<double> Losses => losses;
    /// <summary>The exponentially smoothed (and debiased) loss at each learning rate.</summary>
    public IReadOnlyList<double> SmoothedLosses => smoothed;

    /// <summary>The learning rate at the lowest smoothed loss, divided by 10: a safe, commonly good choice.</summary>
    public double SuggestedLr
    {
        get
        {
            if (smoothed.Count == 0) throw new InvalidOperationException("The finder has not run yet.");
            int at = smoothed.IndexOf(smoothed.Min());
            return lrs[at] / 10;
        }
    }

    /// <summary>The learning rate where the smoothed loss falls fastest against log(lr).</summary>
    public double SteepestLr
    {
        get
        {
            if (smoothed.Count < 3) throw new InvalidOperationException("The finder needs at least 3 points to find the steepest slope.");
            int bestAt = 1;
            double bestSlope = double.PositiveInfinity;
            for (int i = 1; i < smoothed.Count - 1; i++)
            {
                double slope = (smoothed[i + 1] - smoothed[i - 1]) / (Math.Log(lrs[i + 1]) - Math.Log(lrs[i - 1]));
                if (slope < bestSlope) (bestSlope, bestAt) = (slope, i);
            }
            return lrs[bestAt];
        }
    }

    /// <inheritdoc />
    public override void BeforeFit()
    {
        lrs.Clear();
        losses.Clear();
        smoothed.Clear();
        average = 0;
        best = double.PositiveInfinity;
        iter = 0;
    }

    /// <inheritdoc />
    public override void BeforeBatch()
    {
        if (!Learner.Training) return;
        double lr = StartLr * Math.Pow(EndLr / StartLr, (double)iter / (MaxIter - 1));
        foreach (var g in Learner.Opt.Groups) g[Hyper.Lr] = lr;
    }

    /// <inheritdoc />
    public override void AfterStep()
    {
        double loss = Learner.Loss!.item<float>();
        lrs.Add(Learner.Opt.Groups[0][Hyper.Lr]);
        losses.Add(loss);
        average = SmoothingBeta * average + (1 - SmoothingBeta) * loss;
        double debiased = average / (1 - Math.Pow(SmoothingBeta, iter + 1));
        smoothed.Add(debiased);
        iter++;
        if (!double.IsFinite(loss) || debiased > StopFactor * best) throw new CancelFitException("the loss diverged");
        best = Math.Min(best, debiased);
        if (iter >= MaxIter) throw new CancelFitException("tried every learning rate");
    }

    /// <inheritdoc />
    public override void BeforeValidate() => throw new CancelValidateException("the finder does not validate");

    /// <summary>
    /// Plots the smoothed loss against the learning rate (log scale) to a PNG, leaving out the last
    /// <paramref name="skipEnd"/> points, where the loss shoots up and would flatten the rest of the curve.
    /// </summary>
    public void Plot(string path, int skipEnd = 3)
    {
        if (smoothed.Count == 0) throw new InvalidOperationException("The finder has not run yet; call learner.LrFind() first.");
        int n = Math.Max(2, smoothed.Count - Math.Max(0, skipEnd));
        n = Math.Min(n, smoothed.Count);
        Charts.Line(path, $"learning rate finder (suggested {SuggestedLr:G3})", "learning rate (log scale)", "smoothed loss",
            [new Series("smoothed loss", lrs.Take(n).ToArray(), smoothed.Take(n).ToArray())], logX: true);
    }
}
