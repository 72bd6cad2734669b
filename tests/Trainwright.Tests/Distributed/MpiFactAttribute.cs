namespace Trainwright.Tests.Distributed;

/// <summary>
/// A fact that needs Open MPI's <c>mpirun</c>: skipped, with the reason, when it is not on PATH (xunit 2 has no dynamic
/// skip, so the attribute decides when tests are discovered).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRun.FindMpirun() is null)
            Skip = "mpirun is not on PATH: install Open MPI (apt-get install -y openmpi-bin libopenmpi-dev) to run the distributed tests.";
    }
}
