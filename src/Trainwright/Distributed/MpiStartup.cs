namespace Trainwright.Distributed;

/// <summary>The outcome of <see cref="Mpi.TryInitialize"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Message">One sentence for people: what happened and, when MPI is not used, why.</param>
/// <param name="Mpi">The initialised binding when <paramref name="Status"/> is <see cref="MpiStatus.Initialized"/>, otherwise null.</param>
/// <param name="LaunchedWorldSize">The process count the launcher announced in the environment, or null when no launcher did.</param>
public sealed record MpiStartup(MpiStatus Status, string Message, Mpi? Mpi, int? LaunchedWorldSize)
{
    /// <summary>True when MPI is initialised and usable.</summary>
    public bool IsInitialized => Status == MpiStatus.Initialized && Mpi is not null;
}
