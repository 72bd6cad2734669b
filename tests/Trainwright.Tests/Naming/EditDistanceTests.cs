using Trainwright.Naming;

namespace Trainwright.Tests.Naming;

public class EditDistanceTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)] // k→s, e→i, +g
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("--epoch", "--epochs", 1)]
    [InlineData("target", "target", 0)]
    [InlineData("Price", "price", 1)] // ordinal: case counts
    public void HandComputedCases(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Between(a, b));
        Assert.Equal(expected, EditDistance.Between(b, a));
    }
}
