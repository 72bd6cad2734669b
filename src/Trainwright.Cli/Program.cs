using Trainwright.Cli;

return CliApp.Run(args);
