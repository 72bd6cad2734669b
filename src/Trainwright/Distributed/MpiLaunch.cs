using System.Collections;
using System.Globalization;

namespace Trainwright.Distributed;

/// <summary>
/// Reads the environment variables MPI launchers set, to tell whether this process is one rank of an MPI job without
/// touching the MPI library: Open MPI's <c>mpirun</c> sets <c>OMPI_COMM_WORLD_SIZE</c>/<c>OMPI_COMM_WORLD_RANK</c>, PMI-based
/// launchers (MPICH's Hydra, Slurm's srun) set <c>PMI_SIZE</c>/<c>PMI_RANK</c>, and PMIx launchers set <c>PMIX_RANK</c>.
/// </summary>
internal static class MpiLaunch
{
    /// <summary>The variables checked, in order of preference for the world size.</summary>
    public static IReadOnlyList<string> SizeVariables { get; } = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"];

    /// <summary>The variables checked for the rank.</summary>
    public static IReadOnlyList<string> RankVariables { get; } = ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"];

    /// <summary>Whether a launcher started this process, and the world size and rank it announced (null when unknown).</summary>
    /// <param name="environment">Variables to read; null reads the process's environment.</param>
    public static (bool Launched, int? WorldSize, int? Rank) Detect(IReadOnlyDictionary<string, string>? environment = null)
    {
        environment ??= ProcessEnvironment();
        int? size = FirstInt(environment, SizeVariables);
        int? rank = FirstInt(environment, RankVariables);
        bool launched = size is not null || rank is not null;
        return (launched, size, rank);
    }

    private static int? FirstInt(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> names)
    {
        foreach (var name in names)
            if (environment.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
                return value;
        return null;
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            if (entry.Key is string key && entry.Value is string value) result[key] = value;
        return result;
    }
}
