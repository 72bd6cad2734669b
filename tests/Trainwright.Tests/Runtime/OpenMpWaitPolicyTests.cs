using Trainwright.Runtime;

namespace Trainwright.Tests.Runtime;

public sealed class OpenMpWaitPolicyTests
{
    [Fact]
    public void PreferPassiveSetsTheNativeEnvironmentOnlyWhenTheUserHasNot()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal("OMP_WAIT_POLICY", OpenMpWaitPolicy.Variable);
        var before = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable);
        bool set = OpenMpWaitPolicy.PreferPassive();
        // Native code (the OpenMP runtime) must see what .NET sees: .NET's own setter would not reach it.
        Assert.Equal(before is null, set);
        Assert.Equal(before ?? OpenMpWaitPolicy.Passive, OpenMpWaitPolicy.NativeValue);
        Assert.Equal(OpenMpWaitPolicy.NativeValue, Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable));
        // A value already set is left alone.
        Assert.False(OpenMpWaitPolicy.PreferPassive());
    }

    [Fact]
    public void LimitSpinningSetsGnuOpenMpsSpinCountForNativeCodeUnlessAPolicyIsChosen()
    {
        if (!OperatingSystem.IsLinux()) return;
        var policy = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable);
        var spin = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.SpinCountVariable);
        bool set = OpenMpWaitPolicy.LimitSpinning();
        Assert.Equal(policy is null && spin is null, set);
        if (set) Assert.Equal("1000", OpenMpWaitPolicy.NativeSpinCount);
        Assert.False(OpenMpWaitPolicy.LimitSpinning(50));
        Assert.Throws<ArgumentOutOfRangeException>(() => OpenMpWaitPolicy.LimitSpinning(-1));
    }
}
