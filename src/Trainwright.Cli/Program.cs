using Trainwright.Cli;
using Trainwright.Cli.Runs;
using Trainwright.Runtime;

// Before libtorch loads: OpenMP threads that wait spin briefly, then sleep, so the CNNs' thread pool does not collapse
// when another process wants a core (docs/benchmarks.md, "threads").
OpenMpWaitPolicy.LimitSpinning();
// (CliApp starts loading libtorch, for a training command, once the command line has parsed.)

StartupProbe.Mark("Main");

return CliApp.Run(args);
