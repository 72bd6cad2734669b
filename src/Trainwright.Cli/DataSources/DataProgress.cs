namespace Trainwright.Cli.DataSources;

/// <summary>Where the commands show the progress of a slow first data load (an image folder's decode).</summary>
internal static class DataProgress
{
    /// <summary>
    /// Standard output, except under mpirun on ranks other than 0, which print nothing (as in training).
    /// </summary>
    public static TextWriter? Writer()
    {
        var rank = Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_RANK") ?? Environment.GetEnvironmentVariable("PMI_RANK");
        if (rank is not null && rank != "0") return null;
        return Console.Out;
    }

    /// <summary>True when progress can redraw one line in place (a terminal, and not --no-progress).</summary>
    public static bool IsTerminal(bool noProgress) => !noProgress && !Console.IsOutputRedirected;
}
