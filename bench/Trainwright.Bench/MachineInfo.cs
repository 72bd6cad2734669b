using System.Globalization;

namespace Trainwright.Bench;

/// <summary>What the figures were measured on.</summary>
public static class MachineInfo
{
    /// <summary>Cores, CPU model, torch threads and runtime, in one line.</summary>
    public static string Describe()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, {cpu}, torch threads {TorchSharp.torch.get_num_threads()}, MKL kernels: {Trainwright.Runtime.MklKernels.PreferAvx512().Reason}, .NET {Environment.Version}, TorchSharp 0.107.0 (libtorch 2.10, CPU)");
    }
}
