using Trainwright.Cli;
using Trainwright.Cli.Runs;

// CliApp chooses OpenMP's spinning and, for a training command, starts loading libtorch once the command line has parsed.

StartupProbe.Mark("Main");

return CliApp.Run(args);
