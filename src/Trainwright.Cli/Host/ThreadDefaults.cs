using TorchSharp;

namespace Trainwright.Cli.Host;

/// <summary>
/// How many threads libtorch's intra-op pool uses (--threads). The default is 1, not libtorch's one per core: the
/// models here are small (a 64x784 by 784x50 matmul per MLP step), so splitting each op across threads costs more in
/// synchronisation than it gains, and on a shared machine whose cores are busy the pool's threads wait on each other.
/// Measured on the 2-core development VM (load average 8-10): one MLP epoch on MNIST took 1.6-2.0 s with 1 thread and
/// 17-52 s with 2; a CNN epoch on 2,500 images 10.6-11.4 s with 1 thread and 48-51 s with 2. Results are unchanged for the
/// MLP (its ops are deterministic either way).
/// </summary>
internal static class ThreadDefaults
{
    public const int Default = 1;

    public static string DescribeDefault() => $"{Default}; measured faster than one per core for these small models";

    public static void Apply(int? threads) => torch.set_num_threads(threads ?? Default);
}
