using System.Globalization;
using Trainwright.Cli.Settings;
using Trainwright.Platform;

namespace Trainwright.Cli.Host;

/// <summary>
/// How many threads libtorch's intra-op pool uses (--threads). The default follows the model, from the measurements in
/// docs/benchmarks.md ("threads", 2-core machine, two threads against one): the convolutional models get every core,
/// and train with a <see cref="Trainwright.Callbacks.ThreadTuner"/> that falls back to one thread while another busy
/// process makes the pool slower, while the MLP and the tabular model keep one thread (their operations are too small
/// to split: two threads never beat one by more than 0.82× idle, and took 3.7× the time under load). Under mpirun the
/// cores are shared out between the processes on a machine.
/// </summary>
internal static class ThreadDefaults
{
    /// <summary>Threads for <paramref name="model"/> when --threads is not given.</summary>
    public static int For(ModelKind? model) =>
        model is ModelKind.Cnn or ModelKind.LessonCnn or ModelKind.Resnet18 or ModelKind.Resnet34
            ? Math.Clamp(Environment.ProcessorCount / ProcessesOnThisMachine(), 1, Limits.MaxThreads) : 1;

    public static string DescribeDefault() =>
        "1 for mlp and tabular; for the CNNs and resnets one per core, or 1 while that is faster (timed as they train)";

    /// <summary>Loads libtorch (waiting for a load already under way) and sets its thread count: <paramref name="threads"/>, or the default for <paramref name="model"/>.</summary>
    /// <exception cref="TorchLoadException">libtorch cannot be loaded on this host.</exception>
    public static void Apply(int? threads, ModelKind? model = null)
    {
        Choose(threads, model);
        TorchNative.EnsureLoaded();
    }

    /// <summary>
    /// Chooses libtorch's thread count without waiting for libtorch: it is set when <see cref="TorchNative.EnsureLoaded"/>
    /// has loaded it (at once when it is loaded already). The caller must call that before it uses any tensor.
    /// </summary>
    public static void Choose(int? threads, ModelKind? model = null) => TorchNative.SetThreads(threads ?? For(model));

    // Open MPI tells each process how many share its machine; a plain run is the only process.
    private static int ProcessesOnThisMachine() =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
}
