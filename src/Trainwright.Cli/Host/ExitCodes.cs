namespace Trainwright.Cli.Host;

/// <summary>The process exit codes, documented in <c>trainwright --help</c>.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Bad input: options, data, checkpoint or output folder (also System.CommandLine's parse errors).</summary>
    public const int BadInput = 1;
    /// <summary>Training stopped because the loss became NaN or infinite.</summary>
    public const int NonFiniteLoss = 3;
    /// <summary>A bug or an unexpected failure (details with --verbose).</summary>
    public const int Unexpected = 70;
    /// <summary>Stopped by SIGINT (Ctrl+C): 128 + 2, the shell convention.</summary>
    public const int Interrupted = 130;
    /// <summary>Stopped by SIGTERM: 128 + 15.</summary>
    public const int Terminated = 143;
}
