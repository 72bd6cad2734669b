namespace Trainwright.Distributed;

/// <summary>What <see cref="Mpi.TryInitialize"/> found.</summary>
public enum MpiStatus
{
    /// <summary>MPI is initialised: this process is one rank of a job started by an MPI launcher.</summary>
    Initialized,
    /// <summary>No MPI launcher started this process (none of <c>OMPI_COMM_WORLD_SIZE</c>, <c>PMI_SIZE</c>, <c>PMIX_RANK</c>
    /// is set): train in a single process as usual. The MPI library is not even loaded.</summary>
    NotLaunched,
    /// <summary>A launcher started this process but no Open MPI library (<c>libmpi.so.40</c>) could be loaded.</summary>
    LibraryNotFound,
    /// <summary>An MPI library was loaded but it is not Open MPI (for example MPICH), whose handles this binding does not know.</summary>
    UnsupportedImplementation,
    /// <summary>MPI was already finalised in this process; MPI cannot be initialised twice.</summary>
    Finalized,
}
