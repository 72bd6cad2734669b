using Trainwright.Cli;
using Trainwright.Cli.Runs;

StartupProbe.Mark("Main");

return CliApp.Run(args);
