using System.Globalization;

namespace Trainwright.Cli.Host;

/// <summary>
/// Refuses a command that runs in one process when mpirun started several copies of it: they would repeat the same
/// work, print it once per process and write into the same folder. Every copy refuses at once, before touching MPI,
/// so every process ends with exit 1 and only rank 0 prints the line.
/// </summary>
internal static class SingleProcessOnly
{
    /// <summary>The process count an MPI launcher announced (Open MPI, or a PMI launcher), or null without one.</summary>
    public static int? LaunchedWorldSize
    {
        get
        {
            foreach (var name in new[] { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE" })
                if (int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int size))
                    return size;
            return null;
        }
    }

    /// <summary>Throws the refusal when more than one process was launched; <paramref name="why"/> ends the sentence.</summary>
    public static void Require(string command, string why)
    {
        if (LaunchedWorldSize is not { } size || size <= 1) return;
        ErrorReport.OnlyRankZeroReports = true;
        throw new CliException($"{command} does not run under mpirun ({size} processes): {why}; run it without mpirun.");
    }
}
