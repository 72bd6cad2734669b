using System.Runtime.CompilerServices;
using Trainwright.Runtime;

namespace Trainwright.Tests.Support;

/// <summary>
/// Chooses MKL's kernels before any test runs a matrix product, as a program does when it loads libtorch: tests run in
/// parallel, and the choice can only be made before the process's first product.
/// </summary>
internal static class MklKernelsFirst
{
#pragma warning disable CA2255 // a test assembly's one-time process set-up, not a library's
    [ModuleInitializer]
    internal static void Choose() => MklKernels.PreferAvx512();
#pragma warning restore CA2255
}
