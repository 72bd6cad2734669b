using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Trainwright.Cli.Host;

/// <summary>Versions of everything that affects results, for summary.json.</summary>
internal static class Versions
{
    public static string Of(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    public static JsonObject Describe() => new()
    {
        ["trainwright"] = Of(typeof(Learning.Learner).Assembly),
        ["trainwright_cli"] = Of(typeof(Versions).Assembly),
        ["torchsharp"] = Of(typeof(torch).Assembly),
        ["libtorch"] = torch.__version__,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["os"] = RuntimeInformation.OSDescription,
        ["processors"] = Environment.ProcessorCount,
        ["torch_threads"] = torch.get_num_threads(),
    };
}
