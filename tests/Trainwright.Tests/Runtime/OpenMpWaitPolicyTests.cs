using Trainwright.Runtime;

namespace Trainwright.Tests.Runtime;

public sealed class OpenMpWaitPolicyTests
{
    [Fact]
    public void NativeEnvironmentHoldsAWaitPolicyOnceTheLibraryIsLoaded()
    {
        if (!OperatingSystem.IsLinux()) return;
        // Loading the library (any of its types) has run its module initializer; native code must see the policy,
        // which .NET's own environment setter would not give it.
        Assert.Equal("OMP_WAIT_POLICY", OpenMpWaitPolicy.Variable);
        var native = OpenMpWaitPolicy.NativeValue;
        Assert.NotNull(native);
        Assert.Equal(Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable), native);
    }

    [Fact]
    public void AValueAlreadySetIsLeftAlone()
    {
        if (!OperatingSystem.IsLinux()) return;
        // By now the variable is set (by the user or by the initializer); a second call must not change it.
        var before = OpenMpWaitPolicy.NativeValue;
        Assert.False(OpenMpWaitPolicy.PreferPassive());
        Assert.Equal(before, OpenMpWaitPolicy.NativeValue);
    }
}
