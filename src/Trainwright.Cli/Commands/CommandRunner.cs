using System.CommandLine;
using Trainwright.Cli.Host;

namespace Trainwright.Cli.Commands;

/// <summary>Runs a command's body and turns any failure into one line on stderr and an exit code.</summary>
internal static class CommandRunner
{
    public static int Run(ParseResult result, Option<bool> verbose, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            Console.Out.Flush();
            return ErrorReport.Print(e, result.GetValue(verbose), Console.Error);
        }
    }
}
