namespace Trainwright.Cli.Host;

/// <summary>A problem with the user's input or environment, already phrased as the one line to print.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.BadInput, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
