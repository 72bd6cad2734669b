using System.Globalization;
using Trainwright.Cli.Settings;
using Trainwright.Platform;

namespace Trainwright.Cli.Host;

/// <summary>
/// How many threads libtorch's intra-op pool uses (--threads). Training defaults to every core (shared out between the
/// processes of a machine under mpirun) with a <see cref="Trainwright.Callbacks.ThreadTuner"/>, which times every core
/// against one thread as the model trains and keeps the faster: measured in docs/benchmarks.md ("threads", 2-core
/// machine), two threads run a FastCnn epoch in 0.58× the time of one thread idle but 1.9× with a competing busy
/// process, and the MLP's in 0.88× idle but 3.3× under load; tuned, both stay within a few percent of the better count.
/// The other commands use one thread unless told otherwise.
/// </summary>
internal static class ThreadDefaults
{
    /// <summary>Threads for training when --threads is not given: every core of this process's share of the machine.</summary>
    public static int Training => Math.Clamp(Environment.ProcessorCount / ProcessesOnThisMachine(), 1, Limits.MaxThreads);

    public static string DescribeDefault() =>
        "train and lr-find: one per core (train drops to 1 while that is faster, timed as it trains); other commands: 1";

    /// <summary>Loads libtorch (waiting for a load already under way) and sets its thread count: <paramref name="threads"/>, or 1.</summary>
    /// <exception cref="TorchLoadException">libtorch cannot be loaded on this host.</exception>
    public static void Apply(int? threads)
    {
        TorchNative.SetThreads(threads ?? 1);
        TorchNative.EnsureLoaded();
    }

    /// <summary>
    /// Chooses libtorch's thread count for training without waiting for libtorch: it is set when
    /// <see cref="TorchNative.EnsureLoaded"/> has loaded it (at once when it is loaded already). The caller must call that
    /// before it uses any tensor.
    /// </summary>
    public static void ChooseForTraining(int? threads) => TorchNative.SetThreads(threads ?? Training);

    // Open MPI tells each process how many share its machine; a plain run is the only process.
    private static int ProcessesOnThisMachine() =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
}
