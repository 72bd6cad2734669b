using Trainwright.Cli.Host;
using Trainwright.Distributed;
using TorchSharp;

namespace Trainwright.Tests.Cli;

/// <summary>Issue 14: what the user can cause is exit 1 and one line; exit 70 stays for real bugs.</summary>
[Collection(InProcessCliCollection.Name)]
public sealed class ErrorReportTests
{
    [Fact]
    public void Libtorch_running_out_of_memory_is_one_line_and_exit_1()
    {
        // 2^50 floats (4 PiB): libtorch's allocator refuses at once, without touching memory.
        var error = Assert.ThrowsAny<Exception>(() => torch.empty(1L << 50).Dispose());
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, ErrorReport.Print(error, verbose: false, stderr));
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: not enough memory", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_libtorch_that_cannot_load_is_TorchNatives_one_line_not_an_unexpected_exception()
    {
        var why = Trainwright.Platform.TorchNative.ExplainLoaderMessage("/app/libLibTorchSharp.so", "libtorch_cpu.so: cannot open shared object file");
        var error = new Trainwright.Platform.TorchLoadException(why, new TypeInitializationException("TorchSharp.torch", null));
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Unexpected, ErrorReport.Print(error, verbose: false, stderr));
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"error: {why}", lines[0]);
        Assert.DoesNotContain("unexpected", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bug_is_still_exit_70_and_says_to_report_it()
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Unexpected, ErrorReport.Print(new InvalidOperationException("a bug"), verbose: false, stderr));
        Assert.Contains("unexpected InvalidOperationException: a bug", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Launched_by_mpirun_without_a_usable_MPI_is_bad_environment_not_a_bug()
    {
        var environment = new Dictionary<string, string> { ["OMPI_COMM_WORLD_SIZE"] = "2", ["OMPI_COMM_WORLD_RANK"] = "0" };
        var startup = Mpi.TryInitialize(environment, ["/nonexistent/libmpi.so.40"]);
        Assert.Equal(MpiStatus.LibraryNotFound, startup.Status);
        try
        {
            var refusal = Assert.Throws<CliException>(() => MpiUsable.Require(startup));
            Assert.Equal(ExitCodes.BadInput, refusal.ExitCode);
            Assert.Contains("one of 2 started by an MPI launcher, but MPI is not usable", refusal.Message, StringComparison.Ordinal);
            // One process, or no launcher: nothing to refuse.
            MpiUsable.Require(Mpi.TryInitialize(new Dictionary<string, string>(), []));
        }
        finally
        {
            ErrorReport.OnlyRankZeroReports = false;
        }
    }
}
