using System.CommandLine;
using Trainwright.Cli.Host;
using Trainwright.Cli.Runs;
using Trainwright.Data;
using Trainwright.Export.Onnx;
using Trainwright.Inference;

namespace Trainwright.Cli.Commands;

/// <summary><c>trainwright export</c>: turns a run's model file into an ONNX model that ONNX Runtime or ML.NET can serve.</summary>
internal sealed class ExportCommand
{
    private readonly Option<string> model = new("--model")
    {
        Description = $"The run folder (holding {ModelFileLocation.FileName}) or the model file to export",
        HelpName = "RUN_OR_FILE",
        Required = true,
    };
    private readonly Option<string> onnx = new("--onnx") { Description = "Where to write the ONNX model (opset 17, dynamic batch)", HelpName = "OUT.onnx", Required = true };
    private readonly Option<bool> noNormalization = new("--no-normalization")
    {
        Description = "Leave the input normalisation out of the graph (the caller normalises); by default raw [0, 1] pixels go in",
    };

    public Command Build(Option<bool> verbose)
    {
        var command = new Command("export", "Export a trained model to ONNX, checked to load; nothing is left half-written");
        command.Options.Add(model);
        command.Options.Add(onnx);
        command.Options.Add(noNormalization);
        command.SetAction(result => CommandRunner.Run(result, verbose, () => Execute(result)));
        return command;
    }

    private int Execute(ParseResult result)
    {
        var path = ModelFileLocation.Resolve(result.GetValue(model)!, "--model");
        var target = result.GetValue(onnx)!;
        if (string.IsNullOrWhiteSpace(target)) throw new CliException("--onnx is empty; give the file to write, e.g. --onnx model.onnx.");
        if (Directory.Exists(target)) throw new CliException($"--onnx '{target}' is a folder; give a file name, e.g. {Path.Combine(target, "model.onnx")}.");
        // The file is written by renaming a temporary file over it, which would replace a device such as /dev/null.
        if (RegularFile.WhatElse(target) is { } kind) throw new CliException($"--onnx '{target}' is {kind}, not a regular file; give a file name, e.g. --onnx model.onnx.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
        OutputFolder.EnsureWritable(folder);
        using var predictor = Predictor.Load(path);
        predictor.ExportOnnx(target, new OnnxExportOptions { IncludeNormalization = !result.GetValue(noNormalization) });
        var input = predictor.Input;
        Console.WriteLine($"Wrote {target} ({new FileInfo(target).Length:N0} bytes): input 'input' [batch, {string.Join(", ", input.Shape)}], "
            + $"output 'output' [batch, {predictor.Labels.Count}]"
            + (result.GetValue(noNormalization) || input.Normalize is null ? "; the input is used as given." : "; normalisation is in the graph, so raw [0, 1] values go in."));
        return ExitCodes.Ok;
    }
}
