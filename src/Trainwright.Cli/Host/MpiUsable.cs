using Trainwright.Distributed;

namespace Trainwright.Cli.Host;

/// <summary>
/// A launcher started several processes but MPI cannot be used in them (no Open MPI library, another MPI): that is the
/// machine's setup, not a bug, so it is one line and exit 1 like any other environment problem.
/// </summary>
internal static class MpiUsable
{
    public static void Require(MpiStartup startup)
    {
        if (startup.IsInitialized || startup.LaunchedWorldSize is not > 1) return;
        ErrorReport.OnlyRankZeroReports = true;
        throw new CliException(
            $"this process is one of {startup.LaunchedWorldSize} started by an MPI launcher, but MPI is not usable: {startup.Message} "
            + "Install Open MPI (libmpi.so.40, or set TRAINWRIGHT_MPI_LIBRARY to it), or run without mpirun.");
    }
}
