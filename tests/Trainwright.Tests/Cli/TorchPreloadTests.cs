using Trainwright.Cli.Host;

namespace Trainwright.Tests.Cli;

public class TorchPreloadTests
{
    [Theory]
    [InlineData("train")]
    [InlineData("train --epochs 1")]
    [InlineData("--verbose evaluate --checkpoint x")]
    [InlineData("predict --model m a.png")]
    public void CommandsThatUseTorchStartTheLoad(string line)
    {
        var load = TorchPreload.Start(line.Split(' '));
        Assert.NotNull(load);
        TorchPreload.Settle(load);
        Assert.True(load.IsCompleted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("train --help")]
    [InlineData("evaluate -h")]
    [InlineData("--version")]
    [InlineData("schedules --plot")]
    [InlineData("trian")]
    public void HelpVersionAndOtherCommandsDoNot(string line) =>
        Assert.Null(TorchPreload.Start(line.Length == 0 ? [] : line.Split(' ')));

    [Fact]
    public void SettlingAFailedLoadLeavesTheReportToTheCommand()
    {
        TorchPreload.Settle(Task.FromException(new InvalidOperationException("no libtorch")));
        TorchPreload.Settle(null);
    }
}
