using Trainwright.Schedules;

namespace Trainwright.Tests.Schedules;

public class SchedTests
{
    private const int Digits = 12;

    [Fact]
    public void LinIsLinear()
    {
        Assert.Equal(1.3, Sched.Lin(1, 2)(0.3), Digits);
        Assert.Equal(1.0, Sched.Lin(1, 2)(0), Digits);
        Assert.Equal(2.0, Sched.Lin(1, 2)(1), Digits);
    }

    [Fact]
    public void CosFollowsHalfACosine()
    {
        var s = Sched.Cos(0.3, 0.6);
        Assert.Equal(0.3, s(0), Digits);
        Assert.Equal(0.45, s(0.5), Digits);
        Assert.Equal(0.6, s(1), Digits);
        // Closed form at a quarter: start + (1 + cos(π·0.75))·(end − start)/2.
        Assert.Equal(0.3 + (1 + Math.Cos(Math.PI * 0.75)) * 0.15, s(0.25), Digits);
    }

    [Fact]
    public void ExpIsGeometricAndNoIsConstant()
    {
        Assert.Equal(Math.Sqrt(1e-4 * 1e-2), Sched.Exp(1e-4, 1e-2)(0.5), Digits);
        Assert.Equal(0.7, Sched.Const(0.7)(0.42), Digits);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sched.Exp(0, 1));
    }

    [Theory]
    [InlineData(0.0, 0.3)]
    [InlineData(0.15, 0.45)]
    [InlineData(0.3, 0.6)]
    [InlineData(0.65, 0.4)]
    [InlineData(1.0, 0.2)]
    public void TheLessonsCombinedCosineSchedule(double position, double expected)
    {
        var s = Sched.Combine([0.3, 0.7], [Sched.Cos(0.3, 0.6), Sched.Cos(0.6, 0.2)]);
        Assert.Equal(expected, s(position), Digits);
    }

    [Fact]
    public void ThreePhasesAreContinuousAtTheirBoundaries()
    {
        var s = Sched.Combine([0.2, 0.5, 0.3], [Sched.Lin(0, 1), Sched.Const(1), Sched.Cos(1, 0)]);
        const double eps = 1e-9;
        Assert.Equal(s(0.2 - eps), s(0.2 + eps), 6);
        Assert.Equal(s(0.7 - eps), s(0.7 + eps), 6);
        Assert.Equal(0.5, s(0.1), Digits);
        Assert.Equal(1.0, s(0.5), Digits);
        Assert.Equal(0.5, s(0.85), Digits);
        Assert.Equal(0.0, s(1), Digits);
    }

    [Fact]
    public void SharesThatDoNotSumToOneAreRefusedWithTheSum()
    {
        var e = Assert.Throws<ArgumentException>(() => Sched.Combine([0.3, 0.6], [Sched.Const(1), Sched.Const(2)]));
        Assert.Contains("sum to 1", e.Message);
        Assert.Contains("0.9", e.Message);
        Assert.Throws<ArgumentException>(() => Sched.Combine([1.0], [Sched.Const(1), Sched.Const(2)]));
    }

    [Fact]
    public void OneCycleWarmsUpToTheMaximumThenAnnealsWithMomentumInverse()
    {
        var lr = Sched.OneCycleLr(0.01, pctStart: 0.25);
        var mom = Sched.OneCycleMom(0.95, 0.85, pctStart: 0.25);
        Assert.Equal(0.01 / 25, lr(0), Digits);
        Assert.Equal(0.01, lr(0.25), Digits);
        Assert.Equal(0.01 / 1e5, lr(1), Digits);
        Assert.Equal(0.85, mom(0.25), Digits);
        Assert.Equal(0.95, mom(0), Digits);
        Assert.Equal(0.95, mom(1), Digits);
    }
}
