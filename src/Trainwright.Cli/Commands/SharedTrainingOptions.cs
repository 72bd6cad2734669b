using System.CommandLine;

namespace Trainwright.Cli.Commands;

/// <summary>The data, model and optimizer options <c>train</c> and <c>lr-find</c> share.</summary>
internal sealed class SharedTrainingOptions
{
    public Option<string?> Data { get; } = CliOptions.Data();
    public Option<string> Model { get; } = CliOptions.Model();
    public Option<int> Hidden { get; } = CliOptions.Hidden();
    public Option<int> BatchSize { get; } = CliOptions.BatchSize();
    public Option<double?> Lr { get; } = CliOptions.Lr();
    public Option<string> Optimizer { get; } = CliOptions.Optimizer();
    public Option<double> Wd { get; } = CliOptions.Wd();
    public Option<int> Seed { get; } = CliOptions.Seed();
    public Option<int> Workers { get; } = CliOptions.Workers();
    public Option<int?> Threads { get; } = CliOptions.Threads();
    public Option<int?> MaxItems { get; } = CliOptions.MaxItems();

    public void AddTo(Command command, bool withLr = true)
    {
        command.Options.Add(Data);
        command.Options.Add(Model);
        command.Options.Add(Hidden);
        command.Options.Add(BatchSize);
        if (withLr) command.Options.Add(Lr);
        command.Options.Add(Optimizer);
        command.Options.Add(Wd);
        command.Options.Add(Seed);
        command.Options.Add(Workers);
        command.Options.Add(Threads);
        command.Options.Add(MaxItems);
    }
}
